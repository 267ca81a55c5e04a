/**
 * The values policy data's members name one of a few things by (a mode, an effect, a kind of
 * leaf, an operator), which irFromPolicyData accepts and nothing else. Each table is typed by
 * the union it covers, so that a value added to the union without a row here, or a row for
 * none, does not compile; the operators are the language's (OPERATOR_NAMES), their operands'
 * types those of the authoring type `Operators` (policy/types.ts).
 */
import {
  type Effect,
  type ExceedEffect,
  type JsonValue,
  type Mode,
  OPERATOR_NAMES,
  type OperatorName,
  type Operators,
  type ValueType,
} from '../../policy/types.js';
import type { ConditionIR } from '../ir.js';
import { type TestGroup, testGroup } from './policy-data.js';
import { type Doc, oneOf, own, refuse } from './policy-data-members.js';

export const MODES = { enforce: true, shadow: true } as const satisfies Record<Mode, true>;

export const EFFECTS = {
  deny: true,
  approval_needed: true,
  sanitize: true,
} as const satisfies Record<Effect, true>;

export const EXCEED_EFFECTS = {
  deny: true,
  approval_needed: true,
} as const satisfies Record<ExceedEffect, true>;

export const VALUE_TYPES = {
  string: true,
  number: true,
  integer: true,
  boolean: true,
  array: true,
  object: true,
} as const satisfies Record<ValueType, true>;

/** The lists of an entry's `tests` (testGroup), and the kinds of leaf testing one operator. */
export const TEST_GROUPS = {
  one_of: true,
  none_of: true,
  other: true,
} as const satisfies Record<TestGroup, true>;

type LeafKind = TestGroup | 'present' | 'days' | 'hours';

export const LEAF_KINDS = {
  ...TEST_GROUPS,
  present: true,
  days: true,
  hours: true,
} as const satisfies Record<LeafKind, true>;

/** What a test leaf tests: a param, or a field of the input. */
export const SUBJECTS = { param: true, field: true } as const satisfies Record<
  Extract<ConditionIR['kind'], 'param' | 'field'>,
  true
>;

export const NODE_KINDS = { all: true, any: true, not: true } as const satisfies Record<
  Extract<ConditionIR['kind'], 'all' | 'any' | 'not'>,
  true
>;

type Operand = 'a value' | 'a list' | 'a number' | 'a string' | 'a value type';

/** The operand `Operators` gives an operator (ValueType before string: it is one). */
type OperandOf<T> = [T] extends [ValueType | undefined]
  ? 'a value type'
  : [T] extends [number | undefined]
    ? 'a number'
    : [T] extends [string | undefined]
      ? 'a string'
      : [T] extends [JsonValue[] | undefined]
        ? 'a list'
        : 'a value';

/** Each operator's operand, as the engines and the Rego take it. */
export const OPERANDS = {
  eq: 'a value',
  ne: 'a value',
  in: 'a list',
  not_in: 'a list',
  lt: 'a number',
  lte: 'a number',
  gt: 'a number',
  gte: 'a number',
  matches: 'a string',
  not_matches: 'a string',
  prefix: 'a string',
  suffix: 'a string',
  contains: 'a value',
  min_length: 'a number',
  max_length: 'a number',
  type: 'a value type',
} as const satisfies { [Op in OperatorName]-?: OperandOf<Operators[Op]> };

function isOperand(op: OperatorName, value: JsonValue): boolean {
  const operand: Operand = OPERANDS[op];
  switch (operand) {
    case 'a value':
      return true;
    case 'a list':
      return Array.isArray(value);
    case 'a number':
      return typeof value === 'number';
    case 'a string':
      return typeof value === 'string';
    case 'a value type':
      return typeof value === 'string' && Object.hasOwn(VALUE_TYPES, value);
  }
}

/** What `isOperand` wants, for a refusal. */
function operandWanted(op: OperatorName): string {
  const operand: Operand = OPERANDS[op];
  return operand === 'a value type' ? `one of ${Object.keys(VALUE_TYPES).join(', ')}` : operand;
}

/** The operators of the language, each with the group policy-data.ts files it in. */
const GROUP_OF = Object.fromEntries(
  OPERATOR_NAMES.map((op) => [op, testGroup(op, null).group]),
) as Readonly<Record<OperatorName, TestGroup>>;

/** A test's or a leaf's `op`: an operator, of the group (or kind of leaf) it is filed under. */
export function operator(doc: Doc, group: TestGroup): OperatorName {
  const op = oneOf(doc, 'op', GROUP_OF, 'an operator');
  if (GROUP_OF[op] !== group) refuse(doc, 'op', `an operator of ${group}`);
  return op;
}

/**
 * A test's or a leaf's operand as the IR holds it, of the type its operator takes: eq and ne
 * operands are stored in a list of one (policy-data.ts testGroup).
 */
export function operand(doc: Doc, op: OperatorName): JsonValue {
  let value = own(doc, 'value') as JsonValue | undefined;
  if (op === 'eq' || op === 'ne') {
    if (!Array.isArray(value) || value.length !== 1) refuse(doc, 'value', 'a list of one value');
    value = value[0];
  }
  if (value === undefined || !isOperand(op, value)) refuse(doc, 'value', operandWanted(op));
  return value;
}
