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

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The JSON data of `input`, or undefined when it has none (e.g. a bigint, a cycle). */
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

function isCanonical(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
      return !hasLoneSurrogate(v);
    case 'number':
      return Number.isFinite(v);
    case 'boolean':
      return true;
    case 'object': {
      if (v === null) return true;
      if (Array.isArray(v)) return v.every(isCanonical);
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key of Object.keys(v)) {
        if (hasLoneSurrogate(key)) return false;
        if (!isCanonical((v as Record<string, unknown>)[key])) return false;
      }
      return true;
    }
    default:
      return false;
  }
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
