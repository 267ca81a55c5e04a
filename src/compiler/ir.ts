/**
 * The policy IR: what every engine and the Rego emitter consume. Plain JSON-serializable data,
 * defaults filled, shorthands expanded into checks, every reason's rule id and message fixed
 * here (docs/semantics.md has the table). Built by `normalize()` in normalize.ts; nothing
 * downstream reads the authoring format again.
 */
import type {
  Condition,
  DetectorName,
  Effect,
  ExceedEffect,
  JsonValue,
  Mode,
  OperatorName,
  Weekday,
} from '../policy/types.js';

export const IR_VERSION = 1;

/** Where a piece of IR came from, for comments in the Rego and for `--explain`. */
export interface SourceRef {
  file: string;
  line: number;
}

export interface PolicySetIR {
  version: typeof IR_VERSION;
  /** Sorted by (tenant ?? '', agent). */
  policies: PolicyIR[];
  /** Step 1 (`aegis/input`, `invalid_input`) and step 2 (`aegis/policy`, `no_policy`). */
  invalidInput: ReasonTemplate;
  noPolicy: ReasonTemplate;
}

export interface PolicyIR {
  agent: string;
  /** Absent: the global policy for this agent. */
  tenant?: string;
  mode: Mode;
  source: SourceRef;
  /** `<tenant or "_">/<agent>`: the prefix of every rule id of this policy. */
  prefix: string;
  /** Absent: no region restriction. */
  regions?: string[];
  /** Lower-cased patterns; empty: no host is allowed. */
  egress: string[];
  tools: ToolIR[];
  rateLimit?: LimitIR;
  budget?: LimitIR;
  /** The reasons of steps 3 to 5 (`<p>/_/regions`, `<p>/_/egress`, `<p>/_/tools`). */
  denials: {
    region: ReasonTemplate;
    egress: ReasonTemplate;
    tool: ReasonTemplate;
    action: ReasonTemplate;
  };
}

export interface ToolIR {
  name: string;
  /** `'*'`: every action (absent or `["*"]` in the source). */
  actions: string[] | '*';
  source: SourceRef;
  params: ParamCheckIR[];
  amount?: AmountIR;
  rules: RuleIR[];
  rateLimit?: LimitIR;
  budget?: LimitIR;
  /**
   * Present when the entry has a `sanitize` block or a rule with effect `sanitize` (then
   * possibly with no paths and no matchers): anything redacted gives its `redacted` reason.
   */
  sanitize?: SanitizeIR;
}

export interface ReasonTemplate {
  /** Full rule id, e.g. `acme/finance-agent/stripe-payments/params/currency/in`. */
  rule: string;
  message: string;
}

export interface OperatorIR {
  op: OperatorName;
  value: JsonValue;
  /** For param_violation / param_invalid on this operator. */
  reason: ReasonTemplate;
}

export interface ParamCheckIR {
  /** Dotted path split into segments. */
  path: string[];
  optional: boolean;
  /** Rule id `<p>/<t>/params/<path>`, for param_missing. */
  missing: ReasonTemplate;
  operators: OperatorIR[];
}

export interface AmountIR {
  path: string[];
  /** `<p>/<t>/conditions/amount`: missing or not a number. */
  invalid: ReasonTemplate;
  max?: { limit: number; reason: ReasonTemplate };
  min?: { limit: number; reason: ReasonTemplate };
  approvalOver?: { limit: number; reason: ReasonTemplate };
}

export type ConditionIR =
  | { kind: 'param'; path: string[]; tests: { op: OperatorName; value: JsonValue }[] }
  | { kind: 'field'; path: string[]; tests: { op: OperatorName; value: JsonValue }[] }
  | {
      kind: 'time';
      days?: Weekday[];
      /** Minutes since local midnight; end exclusive, may be <= start (wraps), 1440 = 24:00. */
      hours?: { start: number; end: number };
      tz: string;
    }
  | { kind: 'all'; of: ConditionIR[] }
  | { kind: 'any'; of: ConditionIR[] }
  | { kind: 'not'; of: ConditionIR };

export interface RuleIR {
  reason: ReasonTemplate;
  when: ConditionIR;
  effect: Effect;
  /** Only for effect sanitize. */
  redact: string[][];
  source: SourceRef;
}

export interface LimitIR {
  limit: number;
  onExceed: ExceedEffect;
  reason: ReasonTemplate;
}

export interface MatcherIR {
  /** Detector or pattern name: the `by` of a redaction. */
  name: DetectorName | string;
  /** RE2 syntax. */
  regex: string;
}

export interface SanitizeIR {
  redact: string[][];
  /** Detectors (from the one table in detectors.ts) then patterns, in the order they apply. */
  matchers: MatcherIR[];
  reason: ReasonTemplate;
}

/** The authoring type of a condition, re-exported for normalize.ts. */
export type { Condition };
