/**
 * The value operators shared by `params` constraints and `when` tests (docs/semantics.md,
 * "Which operators apply to which value types"). `invalid`: the operator does not apply to the
 * value's type (`param_invalid` in params, false in conditions).
 */
import { unreachable } from '../errors.js';
import type { JsonValue, OperatorName, ValueType } from '../policy/types.js';
import { isObject, type Json, jsonEqual } from './json.js';
import { regexMatches } from './regex.js';
import { codePointLength } from './strings.js';

export type TestResult = 'holds' | 'violated' | 'invalid';

const verdict = (ok: boolean): TestResult => (ok ? 'holds' : 'violated');

export function testOperator(op: OperatorName, value: Json, operand: JsonValue): TestResult {
  switch (op) {
    case 'eq':
      return verdict(jsonEqual(value, operand));
    case 'ne':
      return verdict(!jsonEqual(value, operand));
    case 'in':
      return verdict(listOf(operand).some((x) => jsonEqual(value, x)));
    case 'not_in':
      return verdict(!listOf(operand).some((x) => jsonEqual(value, x)));
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      if (typeof value !== 'number' || typeof operand !== 'number') return 'invalid';
      // Doubles compare as OPA compares their JSON texts (numbers.ts explains why).
      return verdict(compare(op, value, operand));
    case 'matches':
    case 'not_matches':
      if (typeof value !== 'string' || typeof operand !== 'string') return 'invalid';
      return verdict(regexMatches(operand, value) === (op === 'matches'));
    case 'prefix':
      if (typeof value !== 'string' || typeof operand !== 'string') return 'invalid';
      return verdict(value.startsWith(operand));
    case 'suffix':
      if (typeof value !== 'string' || typeof operand !== 'string') return 'invalid';
      return verdict(value.endsWith(operand));
    case 'contains':
      if (typeof value === 'string') {
        return typeof operand === 'string' ? verdict(value.includes(operand)) : 'invalid';
      }
      if (Array.isArray(value)) return verdict(value.some((x) => jsonEqual(x, operand)));
      return 'invalid';
    case 'min_length':
    case 'max_length': {
      const length =
        typeof value === 'string'
          ? codePointLength(value)
          : Array.isArray(value)
            ? value.length
            : -1;
      if (length < 0 || typeof operand !== 'number') return 'invalid';
      return verdict(op === 'min_length' ? length >= operand : length <= operand);
    }
    case 'type':
      return verdict(hasType(value, operand as ValueType));
    default:
      // An operator this switch does not know must not hold (nor be violated): a bug.
      return unreachable('operator', op);
  }
}

function listOf(operand: JsonValue): readonly JsonValue[] {
  return Array.isArray(operand) ? operand : [];
}

function compare(op: 'lt' | 'lte' | 'gt' | 'gte', a: number, b: number): boolean {
  switch (op) {
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    default:
      return unreachable('comparison', op);
  }
}

export function hasType(value: Json, type: ValueType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    // Integral doubles are exactly the doubles whose JSON text is an integer (1e300 is one).
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    default:
      return unreachable('value type', type);
  }
}
