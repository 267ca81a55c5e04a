/**
 * The input as JSON data, the way OPA receives it: what `JSON.stringify` then Go's JSON
 * decoder make of the value. Object members whose value is `undefined` are absent, non-finite
 * numbers are `null`, and an unpaired UTF-16 surrogate in a string or key becomes U+FFFD (Go
 * decodes `"\ud800"` so). Values that need none of that are returned as they are, unallocated.
 */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

/**
 * How deep a decision input may nest objects and arrays. aegis refuses a deeper one where it
 * reads inputs (eval's `--input`, each trace event), before any engine sees it, and evaluate()
 * throws for one. Tool calls nest a few levels; OPA's JSON decoder stops at 10,000; the
 * evaluator's walks recurse, and a limit far below what the stack holds keeps all of them safe.
 */
export const MAX_INPUT_DEPTH = 1000;

/** The error evaluate() throws for an input that nests deeper than MAX_INPUT_DEPTH. */
export class InputTooDeepError extends RangeError {
  constructor() {
    super(`the input nests objects and arrays more than ${MAX_INPUT_DEPTH} levels deep`);
    this.name = 'InputTooDeepError';
  }
}

/**
 * Whether `v` nests objects and arrays more than `max` levels deep (`{}` is one level). Its
 * recursion stops at `max`, so it is safe on any value.
 */
export function nestsDeeperThan(v: unknown, max: number = MAX_INPUT_DEPTH): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (max <= 0) return true;
  const members = Array.isArray(v) ? v : Object.values(v);
  for (const member of members) if (nestsDeeperThan(member, max - 1)) return true;
  return false;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The JSON data of `input`, or undefined when it has none (e.g. a bigint, a cycle). Throws
 * InputTooDeepError for an input nested deeper than MAX_INPUT_DEPTH.
 */
export function asJsonData(input: unknown): Json | undefined {
  if (isCanonical(input)) return input as Json;
  let copy: unknown;
  try {
    const text = JSON.stringify(input);
    if (text === undefined) return undefined;
    copy = JSON.parse(text);
  } catch {
    return undefined;
  }
  return wellFormed(copy as Json);
}

/** Any surrogate: a cheap test that almost every string fails; only then the exact one. */
const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /\p{Surrogate}/u;

function hasLoneSurrogate(s: string): boolean {
  return SURROGATE.test(s) && LONE_SURROGATE.test(s);
}

/**
 * Whether `v` is JSON data already, so that asJsonData would return it as it is. Decoded JSON
 * almost always is (a `\ud800` escape or a number beyond the double range are the exceptions):
 * the replay asks this once per event and then evaluates without asking again. Throws
 * InputTooDeepError, as asJsonData does.
 */
export function isJsonData(v: unknown): v is Json {
  return isCanonical(v);
}

/**
 * Whether every number in `v` is finite. For a value JSON.parse decoded from text without `\u`
 * escapes this is the whole of isJsonData: such text cannot spell a lone surrogate, and decoded
 * JSON has no undefined, holes, or objects other than plain ones. Half the work of the full
 * check: strings are not looked at.
 */
export function numbersFinite(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return typeof v !== 'number' || Number.isFinite(v);
  return membersFinite(v, 1);
}

/** Leaves are looked at in the loop rather than in a call each: most members are leaves. */
function membersFinite(v: object, depth: number): boolean {
  if (depth > MAX_INPUT_DEPTH) throw new InputTooDeepError();
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!finiteMember(v[i], depth)) return false;
    return true;
  }
  const obj = v as Record<string, unknown>;
  for (const key in obj) if (!finiteMember(obj[key], depth)) return false;
  return true;
}

function finiteMember(x: unknown, depth: number): boolean {
  if (typeof x === 'object') return x === null || membersFinite(x, depth + 1);
  return typeof x !== 'number' || Number.isFinite(x);
}

// Hot (once per decision): indexed loops and for-in rather than every() and Object.keys(),
// which allocate. for-in also visits inherited enumerable keys; with the prototype checked
// first there are none, short of a polluted Object.prototype, which only sends the value down
// the (equivalent) copying path.
/** `depth`: the levels of objects and arrays that hold `v`. */
function isCanonical(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return !hasLoneSurrogate(v);
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v === 'boolean') return true;
  if (typeof v !== 'object') return false;
  if (v === null) return true;
  if (depth >= MAX_INPUT_DEPTH) throw new InputTooDeepError();
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      // A hole is skipped, as every() skips it.
      if (x === undefined && !(i in v)) continue;
      if (!isCanonical(x, depth + 1)) return false;
    }
    return true;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  const obj = v as Record<string, unknown>;
  for (const key in obj) {
    if (hasLoneSurrogate(key) || !isCanonical(obj[key], depth + 1)) return false;
  }
  return true;
}

function wellFormed(v: Json): Json {
  if (typeof v === 'string') return v.replace(/\p{Surrogate}/gu, '\ufffd');
  if (Array.isArray(v)) return v.map(wellFormed);
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(v)) {
      setOwn(out, key.replace(/\p{Surrogate}/gu, '\ufffd'), wellFormed(value));
    }
    return out;
  }
  return v;
}

/** `obj[key] = value` that also works for a key named `__proto__`. */
export function setOwn(obj: JsonObject, key: string, value: Json): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

/** The value at a dotted path (already split), or undefined when a segment is missing. */
export function getPath(root: Json | undefined, path: readonly string[]): Json | undefined {
  let v = root;
  for (const key of path) {
    if (!isObject(v) || !Object.hasOwn(v, key)) return undefined;
    v = v[key];
  }
  return v;
}

/** JSON equality: numbers by value, objects regardless of key order. */
export function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i] as Json, b[i] as Json)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(b, key) || !jsonEqual(a[key] as Json, b[key] as Json)) return false;
  }
  return true;
}
