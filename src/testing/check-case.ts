/**
 * A case's expectation against the decision an engine made for its input: each field the case
 * names is compared, the others are not looked at (as the README section on `aegis test` says).
 */
import { canonicalJson } from '../bundle/canonical-json.js';
import type { Decision } from '../engine/decision.js';
import { compareCodePoints } from '../engine/strings.js';
import type { Expectation } from './test-file.js';

/** One field that differs, with both values as the JSON report shows them. */
export interface Mismatch {
  field: keyof Expectation;
  expected: unknown;
  actual: unknown;
}

export function checkCase(expect: Expectation, decision: Decision): Mismatch[] {
  const out: Mismatch[] = [];
  const compare = (field: keyof Expectation, expected: unknown, actual: unknown) => {
    if (canonicalJson(expected) !== canonicalJson(actual)) out.push({ field, expected, actual });
  };
  if (expect.decision !== undefined) compare('decision', expect.decision, decision.decision);
  if (expect.outcome !== undefined) compare('outcome', expect.outcome, decision.outcome);
  if (expect.allow !== undefined) compare('allow', expect.allow, decision.allow);
  if (expect.mode !== undefined) compare('mode', expect.mode, decision.mode);
  if (expect.codes !== undefined)
    compare('codes', sorted(expect.codes), sorted(decision.reasons.map((r) => r.code)));
  if (expect.rules !== undefined)
    compare('rules', distinct(expect.rules), distinct(decision.reasons.map((r) => r.rule)));
  if (expect.redactions !== undefined)
    compare(
      'redactions',
      sortedRedactions(expect.redactions),
      sortedRedactions(decision.redactions),
    );
  if (expect.params !== undefined) compare('params', expect.params, decision.params);
  return out;
}

function sorted(values: readonly string[]): string[] {
  return [...values].sort(compareCodePoints);
}

function distinct(values: readonly string[]): string[] {
  return sorted([...new Set(values)]);
}

function sortedRedactions(
  list: readonly { path: string; by: string }[],
): { path: string; by: string }[] {
  return list
    .map(({ path, by }) => ({ path, by }))
    .sort((a, b) => compareCodePoints(a.path, b.path) || compareCodePoints(a.by, b.by));
}
