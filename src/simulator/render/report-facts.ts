/**
 * What every report format says the same way: which transitions are new blocks, the headline,
 * the top entries of a count table. Kept here so that the text, markdown, html and junit
 * renderers and the `--fail-on` gates cannot disagree about a number.
 */
import type { Outcome } from '../../engine/decision.js';
import type { SimulationReport } from '../types.js';

/** Least to most restrictive (POLICY-LANGUAGE.md: the most restrictive contribution wins). */
export const OUTCOMES = [
  'allow',
  'sanitize',
  'approval_needed',
  'deny',
] as const satisfies readonly Outcome[];

const BLOCKING: ReadonlySet<string> = new Set<Outcome>(['approval_needed', 'deny']);

export function isBlocking(outcome: string): boolean {
  return BLOCKING.has(outcome);
}

/**
 * 0..3 for the four outcomes, -1 for anything else: a recorded decision the trace spelled some
 * other way counts as less restrictive than every outcome, so that a change from it into a
 * block is reported (and gated) as new rather than silently let through.
 */
export function restrictiveness(outcome: string): number {
  return (OUTCOMES as readonly string[]).indexOf(outcome);
}

export type TransitionKind = 'new-block' | 'unblock' | 'tighter' | 'looser';

export interface Transition {
  /** The report's key, `"<from>-><to>"`. */
  key: string;
  from: string;
  to: string;
  count: number;
  kind: TransitionKind;
}

/** `new-block`: into deny or approval_needed from a less restrictive outcome (`--fail-on`). */
export function transitionKind(from: string, to: string): TransitionKind {
  const tighter = restrictiveness(to) > restrictiveness(from);
  if (tighter) return isBlocking(to) ? 'new-block' : 'tighter';
  return isBlocking(from) && !isBlocking(to) ? 'unblock' : 'looser';
}

/**
 * The changes, most frequent first (ties by key). The split is at the LAST `->`: the candidate
 * side is always one of the four outcomes, the recorded side is whatever the trace said.
 */
export function transitions(report: SimulationReport): Transition[] {
  return Object.entries(report.changes)
    .map(([key, count]) => {
      const at = key.lastIndexOf('->');
      const from = at < 0 ? key : key.slice(0, at);
      const to = at < 0 ? '' : key.slice(at + 2);
      return { key, from, to, count, kind: transitionKind(from, to) };
    })
    .sort((a, b) => b.count - a.count || compareKeys(a.key, b.key));
}

export function newBlocks(report: SimulationReport): number {
  return transitions(report)
    .filter((t) => t.kind === 'new-block')
    .reduce((sum, t) => sum + t.count, 0);
}

export function changeTotal(report: SimulationReport): number {
  return Object.values(report.changes).reduce((sum, n) => sum + n, 0);
}

/** Code-point order: the same on every machine, unlike localeCompare. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The `n` entries with the highest score (ties by key), and how many were left out. */
export function topEntries<T>(
  table: Record<string, T>,
  score: (value: T) => readonly number[],
  n: number,
): { entries: [string, T][]; omitted: number } {
  const all = Object.entries(table).sort(([ka, a], [kb, b]) => {
    const sa = score(a);
    const sb = score(b);
    for (let i = 0; i < Math.max(sa.length, sb.length); i++) {
      const d = (sb[i] ?? 0) - (sa[i] ?? 0);
      if (d !== 0) return d;
    }
    return compareKeys(ka, kb);
  });
  return { entries: all.slice(0, n), omitted: Math.max(0, all.length - n) };
}

/**
 * 1234567 -> "1,234,567", the same whatever the machine's locale. A merged report is read
 * from JSON files: anything that is not a finite number prints as `?`, never as markup.
 */
export function formatCount(n: number): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '?';
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "12.5%", "<0.1%" for a small non-zero share, "" when there is nothing to divide by. */
export function formatShare(n: number, of: number): string {
  if (of <= 0) return '';
  if (n > 0 && (n / of) * 100 < 0.1) return '<0.1%';
  return `${((n / of) * 100).toFixed(1)}%`;
}

export function plural(n: number, word: string, words = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : words}`;
}

/**
 * What the headline says: calls would be blocked; none would; or none was evaluated at all (a
 * trace of malformed records, or in another format than the one expected), which must not read
 * as a pass.
 */
export type Verdict = 'blocked' | 'clear' | 'empty';

export function verdict(report: SimulationReport): Verdict {
  if (report.would_block > 0) return 'blocked';
  return report.evaluated > 0 ? 'clear' : 'empty';
}

/** "12 calls would be blocked" / "No call would be blocked" / "No call was evaluated". */
export function blockedPhrase(report: SimulationReport): string {
  const v = verdict(report);
  if (v === 'empty') return 'No call was evaluated';
  if (v === 'clear') return 'No call would be blocked';
  return `${plural(report.would_block, 'call')} would be blocked`;
}

/** "(3 new)" when the run compared with something, else "". */
export function newPhrase(report: SimulationReport): string {
  return report.compared_with === 'none' ? '' : `(${formatCount(newBlocks(report))} new)`;
}

export const COMPARED_WITH_TEXT = {
  baseline: 'the baseline policy',
  recorded: 'the decisions recorded in the trace',
  none: 'nothing (no --baseline and no recorded decisions)',
} as const satisfies Record<SimulationReport['compared_with'], string>;
