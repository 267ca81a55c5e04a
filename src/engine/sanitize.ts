/**
 * Step 6's `sanitize` (docs/semantics.md, "Sanitize"): whole-value redaction of paths, then
 * every string anywhere in the result through the detectors and patterns in order. Copies only
 * what changes; the input is never modified.
 */
import type { MatcherIR } from '../compiler/ir.js';
import type { Redaction } from './decision.js';
import { getPath, isObject, type Json, type JsonObject, setOwn } from './json.js';
import { REDACTED, redactMatches, regexMatches } from './regex.js';
import { jsonPointer } from './strings.js';

export interface SanitizeResult {
  params: JsonObject;
  /** Unsorted; the caller sorts the whole decision's list. */
  redactions: Redaction[];
}

export function sanitizeParams(
  params: JsonObject,
  paths: readonly (readonly string[])[],
  matchers: readonly MatcherIR[],
): SanitizeResult {
  const redactions: Redaction[] = [];
  let out = params;
  for (const path of coveringPaths(params, paths)) {
    out = setPath(out, path, 0, REDACTED);
    redactions.push({ path: jsonPointer(path), by: 'path' });
  }
  if (matchers.length > 0) {
    const walked = walk(out, [], matchers, redactions);
    if (isObject(walked)) out = walked;
  }
  return { params: out, redactions };
}

/**
 * The paths present in `params`, once each, leaving out any path below another present one:
 * the ancestor's redaction covers it, and its pointer would name a value that no longer exists.
 */
function coveringPaths(
  params: JsonObject,
  paths: readonly (readonly string[])[],
): (readonly string[])[] {
  const present: (readonly string[])[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    const key = JSON.stringify(path);
    if (seen.has(key) || getPath(params, path) === undefined) continue;
    seen.add(key);
    present.push(path);
  }
  return present.filter(
    (p) => !present.some((q) => q.length < p.length && q.every((s, i) => s === p[i])),
  );
}

function setPath(obj: JsonObject, path: readonly string[], i: number, value: Json): JsonObject {
  const key = path[i] as string;
  const child = obj[key] as Json;
  const next = i + 1 === path.length ? value : setPath(child as JsonObject, path, i + 1, value);
  const copy = { ...obj };
  setOwn(copy, key, next);
  return copy;
}

function walk(
  v: Json,
  at: (string | number)[],
  matchers: readonly MatcherIR[],
  out: Redaction[],
): Json {
  if (typeof v === 'string') {
    let s = v;
    for (const m of matchers) {
      if (!regexMatches(m.regex, s)) continue;
      s = redactMatches(m.regex, s);
      out.push({ path: jsonPointer(at), by: m.name });
    }
    return s;
  }
  if (Array.isArray(v)) {
    let copy: Json[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const item = v[i] as Json;
      at.push(i);
      const next = walk(item, at, matchers, out);
      at.pop();
      if (next !== item) {
        copy ??= v.slice();
        copy[i] = next;
      }
    }
    return copy ?? v;
  }
  if (isObject(v)) {
    let copy: JsonObject | undefined;
    for (const key of Object.keys(v)) {
      const item = v[key] as Json;
      at.push(key);
      const next = walk(item, at, matchers, out);
      at.pop();
      if (next !== item) {
        copy ??= { ...v };
        setOwn(copy, key, next);
      }
    }
    return copy ?? v;
  }
  return v;
}
