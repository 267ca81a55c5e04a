/**
 * Every regex of the policy language runs on re2js, a port of Go's regexp: RE2 syntax and
 * Perl flags as OPA's `regexp.Compile`, leftmost-first matches, `\b` and `\w` ASCII, `.` one
 * code point. JavaScript's RegExp differs on all of these. Compiled once per pattern.
 */
import { RE2JS } from 're2js';

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

/** Rego's `regex.match(pattern, s)`: unanchored. */
export function regexMatches(pattern: string, s: string): boolean {
  return compileRegex(pattern).test(s);
}

export const REDACTED = '[REDACTED]';

/**
 * Rego's `regex.replace(s, pattern, "[REDACTED]")`, i.e. Go's `ReplaceAllString`: every
 * non-overlapping leftmost-first match, scanning on after each one (re2js ports Go's loop,
 * including its handling of empty matches).
 */
export function redactMatches(pattern: string, s: string): string {
  return compileRegex(pattern).re2().replaceAll(s, REDACTED);
}
