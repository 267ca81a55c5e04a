/**
 * The value operators of `params` and `when` as Rego expressions over a bound variable
 * (docs/semantics.md lists which value types each applies to). Every expression reads a
 * variable bound earlier in the body, never a ref that may be undefined: OPA evaluates the
 * arguments of a call under `not` outside the negation, so `not f(input.params.x)` is
 * undefined, not true, when `x` is missing.
 */
import type { JsonValue, OperatorName } from '../../policy/types.js';
import { regoPattern, regoString, regoValue } from './terms.js';

export interface OperatorRego {
  /** The test that the operator applies to the value's type; absent: any value. */
  applies?: string;
  /** The operator holds (its type test passed). */
  holds: string;
  /** The operator is violated (its type test passed). */
  violated: string;
}

type Builder = (value: string, operand: JsonValue) => OperatorRego;

function positive(applies: string | undefined, holds: string): OperatorRego {
  return applies === undefined
    ? { holds, violated: `not ${holds}` }
    : { applies, holds, violated: `not ${holds}` };
}

function text(operand: JsonValue): string {
  return typeof operand === 'string' ? regoString(operand) : regoValue(operand);
}

function pattern(operand: JsonValue): string {
  return typeof operand === 'string' ? regoPattern(operand) : regoValue(operand);
}

const BUILDERS = {
  eq: (v, x) => ({ holds: `${v} == ${regoValue(x)}`, violated: `${v} != ${regoValue(x)}` }),
  ne: (v, x) => ({ holds: `${v} != ${regoValue(x)}`, violated: `${v} == ${regoValue(x)}` }),
  in: (v, x) => positive(undefined, `${v} in ${regoValue(x)}`),
  not_in: (v, x) => ({ holds: `not ${v} in ${regoValue(x)}`, violated: `${v} in ${regoValue(x)}` }),
  lt: (v, x) => positive(`is_number(${v})`, `${v} < ${regoValue(x)}`),
  lte: (v, x) => positive(`is_number(${v})`, `${v} <= ${regoValue(x)}`),
  gt: (v, x) => positive(`is_number(${v})`, `${v} > ${regoValue(x)}`),
  gte: (v, x) => positive(`is_number(${v})`, `${v} >= ${regoValue(x)}`),
  matches: (v, x) => positive(`is_string(${v})`, `regex.match(${pattern(x)}, ${v})`),
  not_matches: (v, x) => ({
    applies: `is_string(${v})`,
    holds: `not regex.match(${pattern(x)}, ${v})`,
    violated: `regex.match(${pattern(x)}, ${v})`,
  }),
  prefix: (v, x) => positive(`is_string(${v})`, `startswith(${v}, ${text(x)})`),
  suffix: (v, x) => positive(`is_string(${v})`, `endswith(${v}, ${text(x)})`),
  contains: (v, x) => positive(`lib.includes_applies(${v}, ${text(x)})`, `lib.includes(${v}, ${text(x)})`),
  min_length: (v, x) => positive(`lib.has_length(${v})`, `lib.length(${v}) >= ${regoValue(x)}`),
  max_length: (v, x) => positive(`lib.has_length(${v})`, `lib.length(${v}) <= ${regoValue(x)}`),
  type: (v, x) => positive(undefined, `lib.has_type(${v}, ${text(x)})`),
} as const satisfies Record<OperatorName, Builder>;

/** The Rego of one operator applied to the variable `value`. */
export function operatorRego(op: OperatorName, value: string, operand: JsonValue): OperatorRego {
  return BUILDERS[op](value, operand);
}

