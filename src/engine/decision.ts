/** The decision document (POLICY-LANGUAGE.md section 5; `schemas/decision.schema.json`). */
import type { Effect, Mode } from '../policy/types.js';
import type { JsonObject } from './json.js';

export type Outcome = 'allow' | Effect;

export const REASON_CODES = [
  'invalid_input',
  'no_policy',
  'region_denied',
  'egress_denied',
  'tool_not_allowed',
  'action_not_allowed',
  'param_missing',
  'param_invalid',
  'param_violation',
  'amount_over_max',
  'amount_under_min',
  'amount_needs_approval',
  'rule_matched',
  'rate_limited',
  'budget_exceeded',
  'agent_rate_limited',
  'agent_budget_exceeded',
  'redacted',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export interface Reason {
  code: ReasonCode;
  effect: Effect;
  /** The rule id, `<tenant or "_">/<agent>/<tool or "_">/<part>` (docs/semantics.md). */
  rule: string;
  /** Fixed at compile time; no runtime value is formatted into it. */
  message: string;
}

/**
 * A reason with its members in the order docs/semantics.md writes them, whichever engine made
 * it (OPA hands them back by name): what eval prints and a simulate report's examples hold.
 */
export function reasonInOrder(r: Reason): Reason {
  return { code: r.code, effect: r.effect, rule: r.rule, message: r.message };
}

export interface Redaction {
  /** JSON pointer relative to `params`. */
  path: string;
  /** `"path"`, or the detector or pattern name. */
  by: string;
}

export interface Decision {
  /** What the gateway enforces: the outcome in enforce mode, `allow` in shadow mode. */
  decision: Outcome;
  /** The most restrictive contribution, whatever the mode. */
  outcome: Outcome;
  /** `decision` is `allow` or `sanitize`. */
  allow: boolean;
  mode: Mode;
  /** Sorted by rule, code, effect, message (code point order); no duplicates. */
  reasons: Reason[];
  /** Sorted by path, then by. */
  redactions: Redaction[];
  params: JsonObject;
  /** Absent when no policy matched. */
  policy?: { agent: string; tenant?: string };
}
