/**
 * Operators that cannot all hold on one value. Used for a `params` constraint (every call is
 * then denied: operator-type-mismatch or empty-range, errors) and for the tests on one path in
 * a `when` (the condition never holds: condition-never-holds, a warning).
 *
 * Checked in this order, and only the first finding is returned, so one problem gives one
 * message: an empty `in`; operators needing different JSON types; numeric bounds; length
 * bounds; and finally the values an `eq`/`in` allows, each run through every other operator
 * with the engine's own operator semantics (so "holds" means what evaluation means).
 */
import type { Json } from '../../../engine/json.js';
import { testOperator } from '../../../engine/operators.js';
import { checkRe2 } from '../../re2.js';
import type { JsonValue } from '../../types.js';
import { type OperatorEntry, show } from './walk.js';

export type Contradiction =
  /** The operators need values of different JSON types. */
  | { kind: 'type'; at: OperatorEntry; against: OperatorEntry; message: string }
  /** The operators agree on a type, but no value of it satisfies them all. */
  | { kind: 'empty'; at: OperatorEntry; against?: OperatorEntry; message: string };

type JsonType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

export function findContradiction(entries: readonly OperatorEntry[]): Contradiction | undefined {
  // Every check below but the first needs two operators to disagree; most constraints have one.
  if (entries.length < 2) return emptyIn(entries);
  return (
    emptyIn(entries) ??
    typeConflict(entries) ??
    numericBounds(entries) ??
    lengthBounds(entries) ??
    allowedValues(entries)
  );
}

function emptyIn(entries: readonly OperatorEntry[]): Contradiction | undefined {
  const at = entries.find((e) => e.op === 'in' && Array.isArray(e.value) && e.value.length === 0);
  return at && { kind: 'empty', at, message: '`in` is an empty list' };
}

function typeOf(value: JsonValue): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as JsonType;
}

const NUMBER: ReadonlySet<JsonType> = new Set(['number']);
const STRING: ReadonlySet<JsonType> = new Set(['string']);
const STRING_OR_ARRAY: ReadonlySet<JsonType> = new Set(['string', 'array']);
const ARRAY: ReadonlySet<JsonType> = new Set(['array']);

/**
 * The JSON types a value may have for the operator to hold; undefined: any type. The sets are
 * shared and never changed (every constraint of every policy asks).
 */
function acceptedTypes(entry: OperatorEntry): ReadonlySet<JsonType> | undefined {
  const { op, value } = entry;
  switch (op) {
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return NUMBER;
    case 'matches':
    case 'not_matches':
    case 'prefix':
    case 'suffix':
      return STRING;
    case 'min_length':
    case 'max_length':
      return STRING_OR_ARRAY;
    // A string holds only a substring; any other operand can only be an array element.
    case 'contains':
      return typeof value === 'string' ? STRING_OR_ARRAY : ARRAY;
    case 'type':
      return new Set([value === 'integer' ? 'number' : (value as JsonType)]);
    case 'eq':
      return new Set([typeOf(value)]);
    case 'in':
      return Array.isArray(value) && value.length > 0 ? new Set(value.map(typeOf)) : undefined;
    case 'ne':
    case 'not_in':
      return undefined;
  }
}

const PLURAL: Record<JsonType, string> = {
  null: 'null',
  boolean: 'booleans',
  number: 'numbers',
  string: 'strings',
  array: 'arrays',
  object: 'objects',
};

function describe(entry: OperatorEntry, types: ReadonlySet<JsonType>): string {
  const name =
    entry.op === 'type' || entry.op === 'eq' ? `${entry.op}: ${show(entry.value)}` : entry.op;
  const kinds =
    entry.op === 'type' && entry.value === 'integer'
      ? ['integers']
      : [...types].map((t) => PLURAL[t]);
  const list = kinds.length > 1 ? `${kinds.slice(0, -1).join(', ')} and ${kinds.at(-1)}` : kinds[0];
  return `\`${name}\` (${list} only)`;
}

function typeConflict(entries: readonly OperatorEntry[]): Contradiction | undefined {
  const seen: [OperatorEntry, ReadonlySet<JsonType>][] = [];
  let allowed: Set<JsonType> | undefined;
  for (const entry of entries) {
    const types = acceptedTypes(entry);
    if (!types) continue;
    allowed = allowed ? new Set([...allowed].filter((t) => types.has(t))) : new Set(types);
    if (allowed.size === 0) {
      // Name the earlier operator this one cannot share a value with; with three-way
      // conflicts (none alone), the one that narrowed the types last.
      const pair = seen.find(([, t]) => ![...t].some((x) => types.has(x))) ?? seen.at(-1);
      if (!pair) return undefined;
      const [against, againstTypes] = pair;
      return {
        kind: 'type',
        at: entry,
        against,
        message: `no value satisfies both ${describe(against, againstTypes)} and ${describe(entry, types)}`,
      };
    }
    seen.push([entry, types]);
  }
  return undefined;
}

interface Bound {
  value: number;
  strict: boolean;
  entry: OperatorEntry;
}

function boundText(bound: Bound, side: 'low' | 'high'): string {
  if (side === 'low') return `${bound.strict ? 'greater than' : 'at least'} ${bound.value}`;
  return `${bound.strict ? 'less than' : 'at most'} ${bound.value}`;
}

function numericBounds(entries: readonly OperatorEntry[]): Contradiction | undefined {
  const integer = entries.find((e) => e.op === 'type' && e.value === 'integer');
  let low: Bound | undefined;
  let high: Bound | undefined;
  let last: OperatorEntry | undefined;
  for (const entry of entries) {
    const { op, value } = entry;
    if (typeof value !== 'number') continue;
    if (op === 'gt' || op === 'gte') {
      const strict = op === 'gt';
      if (!low || value > low.value || (value === low.value && strict))
        low = { value, strict, entry };
    } else if (op === 'lt' || op === 'lte') {
      const strict = op === 'lt';
      if (!high || value < high.value || (value === high.value && strict))
        high = { value, strict, entry };
    } else {
      continue;
    }
    last = entry;
    if (low && high && !realBetween(low, high)) {
      const against = entry === low.entry ? high.entry : low.entry;
      return {
        kind: 'empty',
        at: entry,
        against,
        message: `no number is ${boundText(low, 'low')} and ${boundText(high, 'high')}`,
      };
    }
  }
  if (integer && low && high && last && !integerBetween(low, high)) {
    const against = last === low.entry ? high.entry : low.entry;
    return {
      kind: 'empty',
      at: last,
      against,
      message: `no integer is ${boundText(low, 'low')} and ${boundText(high, 'high')}`,
    };
  }
  return undefined;
}

function realBetween(low: Bound, high: Bound): boolean {
  return low.value < high.value || (low.value === high.value && !low.strict && !high.strict);
}

function integerBetween(low: Bound, high: Bound): boolean {
  const first = low.strict ? Math.floor(low.value) + 1 : Math.ceil(low.value);
  return high.strict ? first < high.value : first <= high.value;
}

function lengthBounds(entries: readonly OperatorEntry[]): Contradiction | undefined {
  let min: OperatorEntry | undefined;
  let max: OperatorEntry | undefined;
  for (const entry of entries) {
    const { op, value } = entry;
    if (typeof value !== 'number') continue;
    if (op === 'min_length') {
      if (!min || value > (min.value as number)) min = entry;
    } else if (op === 'max_length') {
      if (!max || value < (max.value as number)) max = entry;
    } else {
      continue;
    }
    if (min && max && (min.value as number) > (max.value as number)) {
      return {
        kind: 'empty',
        at: entry,
        against: entry === min ? max : min,
        message: `\`min_length\` ${show(min.value)} is greater than \`max_length\` ${show(max.value)}`,
      };
    }
  }
  return undefined;
}

/** The finite set an `eq` or `in` allows, filtered by every other operator in turn. */
function allowedValues(entries: readonly OperatorEntry[]): Contradiction | undefined {
  const source = entries.find((e) => e.op === 'eq' || (e.op === 'in' && Array.isArray(e.value)));
  if (!source) return undefined;
  let candidates: JsonValue[] =
    source.op === 'eq' ? [source.value] : Array.isArray(source.value) ? [...source.value] : [];
  for (const entry of entries) {
    if (entry === source) continue;
    // A broken regex is regex-invalid's to report; it says nothing about the value here.
    const regex = entry.op === 'matches' || entry.op === 'not_matches';
    if (regex && (typeof entry.value !== 'string' || !checkRe2(entry.value).ok)) continue;
    candidates = candidates.filter(
      (c) => testOperator(entry.op, c as Json, entry.value) === 'holds',
    );
    if (candidates.length === 0) {
      const ruled =
        source.op === 'eq' ? `\`eq: ${show(source.value)}\`` : 'every value listed in `in`';
      return {
        kind: 'empty',
        at: entry,
        against: source,
        message: `\`${entry.op}: ${show(entry.value)}\` rules out ${ruled}`,
      };
    }
  }
  return undefined;
}
