/**
 * `aegis simulate <trace...> --policy <path...> [--baseline <path...>]`: replay recorded tool
 * calls against a candidate policy (and a baseline), render the report, and gate on it.
 *
 * Exit codes: 0; 1 when a `--fail-on` gate trips (or the policy has errors); 2 for usage and
 * input errors, and with `--strict` when a record was malformed or a file unreadable.
 */
import { resolve } from 'node:path';
import { ENGINE_NAMES, type EngineName, isEngineName } from '../engine/engines.js';
import { isLeap, parseRfc3339Ns } from '../engine/rfc3339.js';
import { InputError, UsageError } from '../errors.js';
import type { CommandIO } from '../io.js';
import { expandTracePaths } from '../simulator/readers/expand-trace-paths.js';
import { emitReport } from '../simulator/render/emit-report.js';
import { startProgress } from '../simulator/render/progress.js';
import { isReportFormat, REPORT_FORMATS, REPORT_RENDERERS } from '../simulator/render/renderers.js';
import { plural } from '../simulator/render/report-facts.js';
import { threadsFromEnv } from '../simulator/replay-threads.js';
import { parseShard } from '../simulator/shard.js';
import { simulate } from '../simulator/simulate.js';
import type { SimulationReport } from '../simulator/types.js';
import { type LoadedPolicies, loadPolicies } from './load-policies.js';
import {
  policyFileArguments,
  refuseWritingIntoPolicyDirectory,
  refuseWritingOver,
} from './output-guard.js';
import { packageInfo } from './package-info.js';
import { applyGates, parseFailOn } from './report-gates.js';

export interface SimulateCommandOptions {
  traces: string[];
  policy?: string[];
  baseline?: string[];
  format?: string;
  output?: string;
  failOn?: string;
  engine?: string;
  since?: string;
  until?: string;
  shard?: string;
  strict?: boolean;
  reorderWindow?: string;
  examples?: number;
  /** The clock for relative `--since 24h`; tests fix it. */
  nowMs?: number;
}

export async function run(options: SimulateCommandOptions, io: CommandIO): Promise<number> {
  const format = options.format ?? 'text';
  if (!isReportFormat(format))
    throw new UsageError(`unknown format \`${format}\`; one of: ${REPORT_FORMATS.join(', ')}`);
  const engine = options.engine ?? 'native';
  if (!isEngineName(engine))
    throw new UsageError(`unknown engine \`${engine}\`; one of: ${ENGINE_NAMES.join(', ')}`);
  const failOn = parseFailOn(options.failOn);
  if (options.traces.length === 0) {
    // commander's variadic --policy takes every word up to the next flag, traces included.
    throw new UsageError(
      'simulate needs at least one trace (a file, directory, glob or -); --policy takes every path up to the next flag, so put the traces first or end the policy list with --',
    );
  }
  if (!options.policy || options.policy.length === 0)
    throw new UsageError('simulate needs --policy <bundle or policy path...>');
  const nowMs = options.nowMs ?? Date.now();
  const since =
    options.since !== undefined ? parseTimeBound('--since', options.since, nowMs) : undefined;
  const until =
    options.until !== undefined ? parseTimeBound('--until', options.until, nowMs) : undefined;
  if (since !== undefined && until !== undefined && until <= since)
    throw new UsageError('--until must be later than --since');
  const shard = options.shard !== undefined ? parseShard(options.shard) : undefined;
  const reorderWindowMs =
    options.reorderWindow !== undefined
      ? parseDurationMs('--reorder-window', options.reorderWindow)
      : undefined;
  // Read here so that a bad value is refused before any policy or trace is read.
  const threads = threadsFromEnv(io.env);

  if (options.output !== undefined && options.output !== '-') {
    await refuseOverwritingInputs(resolve(io.cwd, options.output), options, io);
  }

  const policy = await loadSet('policy', options.policy, engine, io);
  if (!policy.ok) return policy.code;
  const baseline = options.baseline?.length
    ? await loadSet('baseline', options.baseline, engine, io)
    : undefined;
  if (baseline && !baseline.ok) return baseline.code;

  const progress = await startProgress(io);
  let report: SimulationReport;
  try {
    report = await simulate({
      traces: options.traces,
      cwd: io.cwd,
      stdin: io.stdin,
      ...(io.stdinFd !== undefined ? { stdinFd: io.stdinFd } : {}),
      policy: policy.set,
      ...(baseline?.ok ? { baseline: baseline.set } : {}),
      engine,
      env: io.env,
      ...(threads !== undefined ? { threads } : {}),
      ...(since !== undefined ? { since } : {}),
      ...(until !== undefined ? { until } : {}),
      ...(shard ? { shard } : {}),
      ...(options.strict ? { strict: true } : {}),
      ...(reorderWindowMs !== undefined ? { reorderWindowMs } : {}),
      ...(options.examples !== undefined ? { examplesPerTransition: options.examples } : {}),
      ...(progress ? { onProgress: progress.update } : {}),
    });
  } finally {
    progress?.stop();
  }

  const text = REPORT_RENDERERS[format](report, {
    color: io.color,
    version: packageInfo().version,
  });
  await emitReport(text, options.output, io);
  if (options.output !== undefined && options.output !== '-') {
    io.stderr(
      `aegis: wrote the ${format} report to ${options.output} (${plural(report.would_block, 'would-block')})\n`,
    );
  }

  return applyGates(report, { ...(failOn ? { failOn } : {}), strict: options.strict === true }, io);
}

async function loadSet(
  which: 'policy' | 'baseline',
  paths: string[],
  engine: EngineName,
  io: CommandIO,
): Promise<LoadedPolicies> {
  const loaded = await loadPolicies(paths, engine, io);
  if (!loaded.ok) io.stderr(`aegis: not simulated: the ${which} has errors\n`);
  return loaded;
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `5s`, `500ms`, `1m`, `0`: a non-negative duration in milliseconds. */
export function parseDurationMs(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/.exec(text.trim());
  const unit = m?.[2] as keyof typeof UNIT_MS | undefined;
  if (!m || (unit === undefined && Number(m[1]) !== 0))
    throw new UsageError(`${flag}: expected a duration such as 5s, 500ms or 2m, got "${text}"`);
  const ms = Number(m[1]) * UNIT_MS[unit ?? 'ms'];
  if (!Number.isSafeInteger(Math.round(ms))) throw new UsageError(`${flag}: "${text}" is too long`);
  return Math.round(ms);
}

/**
 * `--since`/`--until`: an RFC 3339 time, a UTC date (`2025-03-04`), or a duration back from
 * now (`24h`, `7d`). Nanoseconds since the epoch, as the replay compares them.
 */
export function parseTimeBound(flag: string, text: string, nowMs: number): bigint {
  const trimmed = text.trim();
  const date = /^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? `${trimmed}T00:00:00Z` : trimmed;
  const exact = parseRfc3339Ns(date);
  if (exact !== undefined) return exact;
  if (/^\d+(?:\.\d+)?(ms|s|m|h|d|w)$/.test(trimmed)) {
    return BigInt(nowMs - parseDurationMs(flag, trimmed)) * 1_000_000n;
  }
  if (outOfRange(date)) {
    throw new UsageError(
      `${flag}: ${trimmed} is outside the times a trace can hold (${FIRST_TIME} to ${LAST_TIME}: nanoseconds since 1970 in 64 bits)`,
    );
  }
  throw new UsageError(
    `${flag}: expected an RFC 3339 time (2025-03-04T09:00:00Z), a date (2025-03-04) or a duration back from now (24h, 7d), got "${text}"`,
  );
}

const FIRST_TIME = '1677-09-21T00:12:43.145224192Z';
const LAST_TIME = '2262-04-11T23:47:16.854775807Z';

/** A well-formed time of a year too early or too late: valid once moved to 2000 (or 2001). */
function outOfRange(time: string): boolean {
  const year = /^(\d{4})-/.exec(time)?.[1];
  if (year === undefined) return false;
  return parseRfc3339Ns(`${isLeap(Number(year)) ? '2000' : '2001'}${time.slice(4)}`) !== undefined;
}

/** `-o` must not name a trace, a policy or a bundle of this run, nor a policy directory's file. */
async function refuseOverwritingInputs(
  output: string,
  options: SimulateCommandOptions,
  io: CommandIO,
): Promise<void> {
  const { cwd } = io;
  const policyPaths = [...(options.policy ?? []), ...(options.baseline ?? [])];
  const stdinFd = io.stdinFd !== undefined ? { stdinFd: io.stdinFd } : {};
  // A trace argument that names nothing is the replay's to report, as it always was.
  const sources = await expandTracePaths(options.traces, cwd, stdinFd).catch((error: unknown) => {
    if (error instanceof InputError) return [];
    throw error;
  });
  const traces = sources.flatMap((source) => (source.kind === 'file' ? [source.path] : []));
  refuseWritingOver(
    [output],
    [...traces, ...policyFileArguments(policyPaths, cwd)],
    'one of the traces, policies or bundles of this run',
  );
  // `- -o trace.jsonl < trace.jsonl`: the file would be replaced before it is read.
  for (const source of sources) {
    if (source.kind === 'stdin' && source.opened) {
      refuseWritingOver([output], [source.opened], 'the trace read on standard input (-)');
    }
  }
  refuseWritingIntoPolicyDirectory(
    output,
    policyPaths,
    cwd,
    (dir) => `-o ${output} is inside the policy directory ${dir}: it would be read as a policy`,
  );
}
