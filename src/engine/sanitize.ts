/**
 * Step 6's `sanitize` (docs/semantics.md, "Sanitize"): whole-value redaction of paths, then
 * every string anywhere in the result through the detectors and patterns in order. Copies only
 * what changes; the input is never modified.
 */
import type { MatcherIR } from '../compiler/ir.js';
import type { Redaction } from './decision.js';
import { getPath, isObject, type Json, type JsonObject } from './json.js';
import { re2ToJs } from './re2-to-js.js';
import { REDACTED, type RegexTest, redactMatches, regexTester } from './regex.js';
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
    const walked = walk(out, [], matcherPlan(matchers), redactions);
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
  for (const path of paths) {
    if (getPath(params, path) === undefined || present.some((q) => samePath(q, path))) continue;
    present.push(path);
  }
  if (present.length < 2) return present;
  return present.filter(
    (p) => !present.some((q) => q.length < p.length && q.every((s, i) => s === p[i])),
  );
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/**
 * The matchers with their tests, plus one test that any of them matches a string: most strings
 * match none, and one pass of an alternation is cheaper than one pass per matcher. Built once
 * per matcher list of the IR.
 */
interface MatcherPlan {
  matchers: readonly { ir: MatcherIR; test: RegexTest }[];
  any: RegexTest;
}

const plans = new WeakMap<readonly MatcherIR[], MatcherPlan>();

function matcherPlan(matchers: readonly MatcherIR[]): MatcherPlan {
  let plan = plans.get(matchers);
  if (!plan) {
    const tests = matchers.map((ir) => ({ ir, test: regexTester(ir.regex) }));
    plan = { matchers: tests, any: anyOf(matchers, tests) };
    plans.set(matchers, plan);
  }
  return plan;
}

/**
 * `s` matches some matcher exactly when it matches `(?:a)|(?:b)|...` (a string contains a match
 * of an alternation iff it contains a match of one branch). The matchers V8 runs (regex.ts)
 * are joined so, those with a leading `(?i)` in a second alternation with the flag; the rest
 * are tried one by one after them.
 */
function anyOf(matchers: readonly MatcherIR[], tests: MatcherPlan['matchers']): RegexTest {
  const checks: RegexTest[] = [];
  const alone: RegexTest[] = [];
  for (const prefix of ['', '(?i)']) {
    const group = matchers.filter(
      (m) => m.regex.startsWith('(?i)') === (prefix !== '') && re2ToJs(m.regex)?.bounded,
    );
    if (group.length === 0) continue;
    const union = re2ToJs(
      `${prefix}${group.map((m) => `(?:${m.regex.slice(prefix.length)})`).join('|')}`,
    );
    if (union?.bounded) {
      const regex = union.regex;
      checks.push((s) => regex.test(s));
    } else alone.push(...group.map((m) => regexTester(m.regex)));
  }
  for (const m of tests) if (!re2ToJs(m.ir.regex)?.bounded) alone.push(m.test);
  checks.push(...alone);
  return (s) => {
    for (const check of checks) if (check(s)) return true;
    return false;
  };
}

function setPath(obj: JsonObject, path: readonly string[], i: number, value: Json): JsonObject {
  const key = path[i] as string;
  const child = obj[key] as Json;
  const next = i + 1 === path.length ? value : setPath(child as JsonObject, path, i + 1, value);
  const copy = { ...obj };
  // `key` is an own property of the copy already (even `__proto__`), so this sets it.
  copy[key] = next;
  return copy;
}

function walk(v: Json, at: (string | number)[], plan: MatcherPlan, out: Redaction[]): Json {
  if (typeof v === 'string') {
    if (!plan.any(v)) return v;
    let s = v;
    for (const m of plan.matchers) {
      if (!m.test(s)) continue;
      s = redactMatches(m.ir.regex, s);
      out.push({ path: jsonPointer(at), by: m.ir.name });
    }
    return s;
  }
  if (Array.isArray(v)) {
    let copy: Json[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const item = v[i] as Json;
      at.push(i);
      const next = walk(item, at, plan, out);
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
      const next = walk(item, at, plan, out);
      at.pop();
      if (next !== item) {
        copy ??= { ...v };
        // An own property of the copy already (even `__proto__`): this sets it.
        copy[key] = next;
      }
    }
    return copy ?? v;
  }
  return v;
}
