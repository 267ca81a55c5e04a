/**
 * The policy document as written (POLICY-LANGUAGE.md section 2), after it passed the JSON
 * Schema. These types mirror `schemas/aegis-policy.v1.schema.json`; the compiler normalizes
 * them into the IR.
 */

export type Effect = 'deny' | 'approval_needed' | 'sanitize';
export type ExceedEffect = 'deny' | 'approval_needed';
export type Mode = 'enforce' | 'shadow';
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export type ValueType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';

export const DETECTOR_NAMES = [
  'ssn',
  'email',
  'credit_card',
  'phone',
  'dob',
  'iban',
  'ipv4',
  'aws_access_key',
] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];

/** JSON values as they appear in policies and inputs. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/** The value operators shared by `params` constraints and `when` conditions. */
export interface Operators {
  eq?: JsonValue;
  ne?: JsonValue;
  in?: JsonValue[];
  not_in?: JsonValue[];
  lt?: number;
  lte?: number;
  gt?: number;
  gte?: number;
  matches?: string;
  not_matches?: string;
  prefix?: string;
  suffix?: string;
  contains?: JsonValue;
  min_length?: number;
  max_length?: number;
  type?: ValueType;
}

export const OPERATOR_NAMES = [
  'eq',
  'ne',
  'in',
  'not_in',
  'lt',
  'lte',
  'gt',
  'gte',
  'matches',
  'not_matches',
  'prefix',
  'suffix',
  'contains',
  'min_length',
  'max_length',
  'type',
] as const satisfies readonly (keyof Operators)[];
export type OperatorName = (typeof OPERATOR_NAMES)[number];

export interface ParamConstraint extends Operators {
  optional?: boolean;
}

export interface TimeWindow {
  days?: Weekday[];
  /** "HH:MM-HH:MM", start inclusive, end exclusive, may wrap midnight. */
  hours?: string;
  /** IANA zone, default UTC. */
  tz?: string;
}

export type Condition =
  | ({ param: string } & Operators)
  | ({ field: string } & Operators)
  | { time: TimeWindow }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

export interface Rule {
  id?: string;
  when: Condition;
  effect: Effect;
  reason?: string;
  redact?: string[];
}

export interface RateLimit {
  rps: number;
  on_exceed?: ExceedEffect;
}

export interface Budget {
  daily_usd: number;
  on_exceed?: ExceedEffect;
}

export interface AmountConditions {
  amount_param?: string;
  max_amount?: number;
  min_amount?: number;
  approval_needed_over?: number;
}

export interface CustomPattern {
  name: string;
  regex: string;
}

export interface Sanitize {
  redact?: string[];
  detectors?: DetectorName[];
  patterns?: CustomPattern[];
}

export interface ToolEntry {
  name: string;
  actions?: string[];
  conditions?: AmountConditions;
  params?: Record<string, ParamConstraint>;
  rules?: Rule[];
  rate_limit?: RateLimit;
  budget?: Budget;
  sanitize?: Sanitize;
}

export interface AgentPolicy {
  /** The schema reference JSON files carry for editors; aegis ignores it. */
  $schema?: string;
  version?: 1;
  agent: string;
  tenant?: string;
  mode?: Mode;
  description?: string;
  regions?: string[];
  allowed_tools: ToolEntry[];
  egress?: { allow: string[] };
  rate_limit?: RateLimit;
  budget?: Budget;
}
