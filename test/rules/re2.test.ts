/**
 * checkRe2: which patterns pass, how refusals are classified and worded, and that the answer
 * is OPA's own (a real OPA's `regex.is_valid` over the same table, in one process).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { findOpa } from '../../src/engine/opa-binary.js';
import { checkRe2 } from '../../src/policy/re2.js';

const VALID = [
  '^[A-Za-z0-9 .,-]{0,140}$',
  '(?i)drop\\s+table',
  'MRN-[0-9]{8}',
  '(?P<year>\\d{4})-(?<month>\\d{2})',
  '\\pL+\\p{Greek}\\PN\\p{^Latin}',
  '[[:alpha:]][[:^digit:]]',
  '\\x41\\x{1F600}\\Q.*+\\E',
  '(?s:.)(?U)a*(?-i:b)',
  '\\A\\z\\b\\B',
  'a{,3}',
  'x{1000}',
  '\\0\\07',
  '',
];

/** [pattern, reason, message] */
const REFUSED: [string, 'not-re2' | 'invalid', RegExp][] = [
  ['(?=a)', 'not-re2', /^lookahead `\(\?=` is not supported by RE2$/],
  ['(?!a)', 'not-re2', /^negative lookahead `\(\?!`/],
  ['(?<=a)b', 'not-re2', /^lookbehind `\(\?<=`/],
  ['(?<!a)b', 'not-re2', /^negative lookbehind `\(\?<!`/],
  ['(a)\\1', 'not-re2', /^backreference `\\1`/],
  ['(?<n>a)\\k<n>', 'not-re2', /^backreference `\\k`/],
  ['(?P<n>a)(?P=n)', 'not-re2', /^named backreference `\(\?P=`/],
  ['a++', 'not-re2', /^possessive quantifier `\+\+`/],
  ['a{2}+', 'not-re2', /^possessive quantifier `\{2\}\+`/],
  ['(?>a)', 'not-re2', /^atomic group `\(\?>`/],
  ['(?(1)a|b)', 'not-re2', /^conditional group/],
  ['(?#note)a', 'not-re2', /^inline comment/],
  ['(?R)', 'not-re2', /^recursion/],
  ['(?1)', 'not-re2', /^subroutine call/],
  ['(?x) a b', 'not-re2', /^extended mode `\(\?x\)`/],
  ['\\u0041', 'not-re2', /^`\\u` escapes are JavaScript syntax, not RE2$/],
  ['\\cA', 'not-re2', /^control escapes/],
  ['a\\Z', 'not-re2', /^escape `\\Z`/],
  ['\\h+', 'not-re2', /^escape `\\h`/],
  ['[^]', 'not-re2', /^`\[\^\]` \(any character\) is JavaScript syntax/],
  ['a{1001}', 'not-re2', /^repeat count `\{1001\}` is above RE2's limit of 1000/],
  ['(a{100}){100}', 'not-re2', /nested counts multiply/],
  ['(abc', 'invalid', /^missing closing `\)` in `\(abc`$/],
  ['[abc', 'invalid', /^missing closing `\]`/],
  ['abc)', 'invalid', /^unexpected `\)`$/],
  ['*a', 'invalid', /^`\*` repeats nothing$/],
  ['a**', 'invalid', /^quantifier `\*\*` repeats a repetition$/],
  ['a{3,2}', 'invalid', /^repeat count `\{3,2\}` has its minimum above its maximum$/],
  ['[z-a]', 'invalid', /^character class range `z-a` is out of order$/],
  ['\\p{Klingon}', 'invalid', /^unknown Unicode class `\\p\{Klingon\}`$/],
  ['[[:word2:]]', 'invalid', /^unknown POSIX class/],
  ['\\x4', 'invalid', /^invalid hex escape `\\x4`$/],
  ['\\y', 'invalid', /^unknown escape `\\y`$/],
  ['[a-\\d]', 'invalid', /cannot be the end of a character class range/],
  ['abc\\', 'invalid', /^the regex ends with a lone backslash$/],
  ['(?z)', 'invalid', /^unknown group or flag syntax `\(\?z`$/],
  ['(?P<>a)', 'invalid', /^invalid group name/],
  [`${'('.repeat(1001)}a${')'.repeat(1001)}`, 'invalid', /nests groups more than 1000 deep/],
  // Go 1.25+ accepts these two; re2js, and so aegis's own engine, does not (see re2.ts).
  ['\\p{letter}', 'invalid', /^unknown Unicode class `\\p\{letter\}`$/],
  ['(?P<n>a)(?P<n>b)', 'invalid', /^capture group name `n` is used twice$/],
];

describe('checkRe2', () => {
  test.each(VALID)('accepts %j', (pattern) => {
    expect(checkRe2(pattern)).toEqual({ ok: true });
  });

  test.each(REFUSED)('refuses %j as %s', (pattern, reason, message) => {
    const result = checkRe2(pattern);
    if (result.ok) throw new Error(`${pattern} was accepted`);
    expect(result.reason).toBe(reason);
    expect(result.message).toMatch(message);
    expect(result.message).not.toMatch(/\.$/);
  });

  test('every not-re2 answer carries a hint', () => {
    for (const [pattern, reason] of REFUSED) {
      const result = checkRe2(pattern);
      if (!result.ok && reason === 'not-re2') expect(result.hint, pattern).toBeTruthy();
    }
  });

  test('answers are cached, and the cache gives the same answer', () => {
    const first = checkRe2('(?=cached)');
    expect(checkRe2('(?=cached)')).toBe(first);
  });
});

describe('against OPA', () => {
  /** Patterns where aegis is deliberately stricter than the Go that OPA is built with. */
  const STRICTER = new Set(['\\p{letter}', '(?P<n>a)(?P<n>b)']);

  test("OPA's regex.is_valid agrees with every answer in the tables", async () => {
    const opa = await findOpa({ env: process.env, cwd: process.cwd() });
    if (!opa.ok) throw new Error(`${opa.message}: ${opa.hint}`);
    const patterns = [...VALID, ...REFUSED.map(([p]) => p)];
    const out = execFileSync(
      opa.path,
      ['eval', '--format', 'raw', '--stdin-input', '[regex.is_valid(p) | some p in input]'],
      { input: JSON.stringify(patterns) },
    );
    const valid = JSON.parse(out.toString()) as boolean[];
    const disagree = patterns.filter((p, i) => valid[i] !== (checkRe2(p).ok || STRICTER.has(p)));
    expect(disagree).toEqual([]);
  });
});
