/**
 * What decides a report's exit code in CI, for `simulate` and for `report merge` (whose merged
 * report is the one a sharded run should be gated on): `--strict` (a malformed record or an
 * unreadable file is exit 2, and so is a run that evaluated no call at all: pointed at the
 * wrong log, every gate would pass) and `--fail-on` (exit 1 when the gate trips).
 */
import { ExitCode, UsageError } from '../errors.js';
import type { CommandIO } from '../io.js';
import { printable } from '../render/printable.js';
import { changeTotal, newBlocks, plural } from '../simulator/render/report-facts.js';
import type { SimulationReport } from '../simulator/types.js';

export const FAIL_ON = ['would-block', 'new-block', 'change'] as const;
export type FailOn = (typeof FAIL_ON)[number];

export interface Gates {
  failOn?: FailOn;
  strict?: boolean;
}

/** `--fail-on`'s value checked (commander checks it too; the library call does not). */
export function parseFailOn(value: string | undefined): FailOn | undefined {
  if (value === undefined) return undefined;
  if (!(FAIL_ON as readonly string[]).includes(value))
    throw new UsageError(`unknown --fail-on \`${value}\`; one of: ${FAIL_ON.join(', ')}`);
  return value as FailOn;
}

/** The exit code the gates give `report`, each tripped gate said in one line on stderr. */
export function applyGates(report: SimulationReport, gates: Gates, io: CommandIO): number {
  if (gates.strict && report.malformed > 0) {
    const first = report.first_malformed[0];
    io.stderr(
      `aegis: --strict: ${plural(report.malformed, 'malformed record')}${first ? ` (first: ${printable(`${first.file}:${first.line}: ${first.error}`)})` : ''}\n`,
    );
    return ExitCode.usage;
  }
  // One shard may own no key that the traces hold; the merged report is gated on that.
  if (gates.strict && report.evaluated === 0 && report.shard === undefined) {
    io.stderr(
      `aegis: --strict: no call was evaluated (${plural(report.events, 'record')} read, ${report.skipped} skipped)\n`,
    );
    return ExitCode.usage;
  }
  return gates.failOn ? gate(gates.failOn, report, io) : ExitCode.ok;
}

function gate(failOn: FailOn, report: SimulationReport, io: CommandIO): number {
  if (failOn !== 'would-block' && report.compared_with === 'none') {
    // A gate that cannot see anything must not pass silently in CI.
    io.stderr(
      `aegis: --fail-on ${failOn} needs something to compare with: pass --baseline, or traces that record their decisions\n`,
    );
    return ExitCode.usage;
  }
  const tripped = gateCount(failOn, report);
  if (tripped === 0) return ExitCode.ok;
  const what =
    failOn === 'would-block'
      ? `${plural(tripped, 'call')} would be blocked`
      : failOn === 'new-block'
        ? `${plural(tripped, 'call')} newly blocked`
        : `${plural(tripped, 'outcome')} changed`;
  io.stderr(`aegis: --fail-on ${failOn}: ${what}\n`);
  return ExitCode.findings;
}

/** How many events trip the gate (0: it passes). */
export function gateCount(failOn: FailOn, report: SimulationReport): number {
  if (failOn === 'would-block') return report.would_block;
  if (failOn === 'new-block') return newBlocks(report);
  return changeTotal(report);
}
