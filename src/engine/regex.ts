/**
 * Every regex of the policy language runs on re2js, a port of Go's regexp: RE2 syntax and
 * Perl flags as OPA's `regexp.Compile`, leftmost-first matches, `\b` and `\w` ASCII, `.` one
 * code point. JavaScript's RegExp differs on all of these. Compiled once per pattern.
 *
 * The one exception is the yes/no test: a pattern in the subset re2-to-js.ts translates, and
 * that cannot make V8 backtrack without bound (most policies' patterns and all but one built-in
 * detector), is tested by V8's RegExp, an order of magnitude faster than re2js on the same
 * answers. The others at least skip strings that lack a substring every match contains.
 */
import { RE2JS } from 're2js';
import { DETECTORS } from './detectors.js';
import { re2ToJs } from './re2-to-js.js';

/**
 * Patterns whose yes/no test re2-to-js.ts cannot show to be linear on V8, each with a RegExp
 * that V8 runs in linear time and that matches somewhere in exactly the same strings.
 *
 * The email detector, `L+@D+\.A{2,}` (L, D, A its three ASCII classes): a string contains a
 * match of it iff it contains one of `L@D+\.AA`. A match of the first holds one of the second
 * (its last L, the `@`, its D run, the dot, its first two A) and a match of the second is one
 * of the first (one L, two A). On V8 the second is linear: a start is pursued past its first
 * character only right before an `@`, and `@` is in none of the classes, so each character is
 * in at most one D run, which the `D+\.` backtracking walks at most twice. Both classes are
 * ASCII, so code points and UTF-16 units do not differ for them.
 */
const SAME_TEST: ReadonlyMap<string, RegExp> = new Map([
  [DETECTORS.email.regex, /[A-Za-z0-9._%+-]@[A-Za-z0-9.-]+\.[A-Za-z]{2}/],
]);

const cache = new Map<string, RE2JS>();

export function compileRegex(pattern: string): RE2JS {
  let re = cache.get(pattern);
  if (!re) {
    // Throws on a pattern RE2 rejects; validate refuses those, so reaching it here is a bug.
    re = RE2JS.compile(pattern);
    cache.set(pattern, re);
  }
  return re;
}

export type RegexTest = (s: string) => boolean;

const testers = new Map<string, RegexTest>();

/** Rego's `regex.match(pattern, s)` as a function of `s`: unanchored. */
export function regexTester(pattern: string): RegexTest {
  let test = testers.get(pattern);
  if (!test) {
    const js = re2ToJs(pattern);
    if (js?.bounded) {
      const regex = js.regex;
      test = (s) => regex.test(s);
    } else {
      // A RegExp shown to test the same (SAME_TEST), else RE2; after the substring check, as
      // most strings lack the substring and it is cheaper to see.
      const re: { test(s: string): boolean } = SAME_TEST.get(pattern) ?? compileRegex(pattern);
      const required = js?.required ?? '';
      test = required === '' ? (s) => re.test(s) : (s) => s.includes(required) && re.test(s);
    }
    testers.set(pattern, test);
  }
  return test;
}

/** Rego's `regex.match(pattern, s)`: unanchored. */
export function regexMatches(pattern: string, s: string): boolean {
  return regexTester(pattern)(s);
}

export const REDACTED = '[REDACTED]';

/**
 * Rego's `regex.replace(s, pattern, "[REDACTED]")`, i.e. Go's `ReplaceAllString`: every
 * non-overlapping leftmost-first match, scanning on after each one (re2js ports Go's loop,
 * including its handling of empty matches).
 */
export function redactMatches(pattern: string, s: string): string {
  return redactor(pattern)(s);
}

const redactors = new Map<string, (s: string) => string>();

/**
 * On V8 when the pattern runs there (regexTester) and cannot match the empty string: then
 * replace-all agrees with Go's (re2-to-js.ts `nonEmpty`).
 */
function redactor(pattern: string): (s: string) => string {
  let redact = redactors.get(pattern);
  if (!redact) {
    const js = re2ToJs(pattern);
    if (js?.bounded && js.nonEmpty) {
      const all = new RegExp(js.regex.source, `${js.regex.flags}g`);
      redact = (s) => s.replace(all, REDACTED);
    } else {
      const re2 = compileRegex(pattern).re2();
      redact = (s) => re2.replaceAll(s, REDACTED);
    }
    redactors.set(pattern, redact);
  }
  return redact;
}
