/**
 * The RE2 -> RegExp translation that speeds up regex tests must never change an answer: every
 * translated pattern is checked against re2js on thousands of generated strings (ASCII edges,
 * case-folding oddities like U+212A and U+017F, astral code points, newlines), and against the
 * real OPA on a table of tricky samples.
 */
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { DETECTORS } from '../../src/engine/detectors.js';
import { re2ToJs } from '../../src/engine/re2-to-js.js';
import { redactMatches, regexMatches } from '../../src/engine/regex.js';
import { DETECTOR_NAMES } from '../../src/policy/types.js';
import { opaEval } from './opa-eval.js';

const TRANSLATED = [
  ...DETECTOR_NAMES.map((name) => DETECTORS[name].regex),
  '^[a-z][a-z0-9-]{1,40}$',
  '^v[0-9]+\\.[0-9]+\\.[0-9]+$',
  '(?i)<script',
  '(?i)bearer [a-z0-9._~+/-]+=*',
  '^P[0-9]{8}$',
  'MRN-[0-9]{8}',
  '(?i)\\|\\s*delete',
  '[a-z0-9-]+\\.corp\\.acme\\.internal',
  'a.c',
  '^.{2}$',
  '^.*$',
  '\\s+x\\S',
  '\\w+\\W',
  '(?i)\\w\\W',
  '(?i)[^k]',
  '(?i)^[a-z]+$',
  '(?i)STRASSE',
  '[^a-c]{2}',
  '^[^\\n]{3}$',
  'x*',
  'a|',
  '(a|b)+c?',
  '(?:ab){2,3}',
  '(?P<n>x)y{2,}?',
  '(?<n>x)\\d\\D',
  '[\\d.-]+',
  '[-a]',
  '[a-]',
  '\\$\\^\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\/\\-\\#',
  '[\\]\\[\\\\^]',
  '[\\t\\n ]',
  'a]b}c',
  '\\bword\\b',
  '\\Bor\\B',
  '^$',
  '',
];

const REFUSED = [
  '\\pL+',
  '[[:alpha:]]+',
  '(?i)\\bword',
  '(?s).',
  '(?i:a)b',
  '\\Aa\\z',
  '\\x41',
  '\\Qa.b\\E',
  'é',
  '[]a]',
  'a{,3}',
  'a{2',
  '\\ ',
  '^*',
  '\\b+',
];

/** Strings over an alphabet chosen to hit every construct above and every known difference. */
function samples(count: number, seed: number): string[] {
  const alphabet = [
    ...'abckswxyzABCKSWXYZ0123456789',
    ...' \t\n\r\f\v-_.@/+=<>|~[]{}()^$#\\',
    '\u017f', // LATIN SMALL LETTER LONG S: folds to s
    '\u212a', // KELVIN SIGN: folds to k
    '\u0130',
    '\u0131',
    'é',
    'ß',
    '\u2028',
    '\u00a0',
    '😀',
    'script',
    'SCRIPT',
    'bearer ',
    'delete',
    '123-45-6789',
    'MRN-',
    'AKIA',
    '.corp.acme.internal',
    'word',
  ];
  let state = seed;
  const next = (n: number) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = '';
    const length = next(12);
    for (let j = 0; j < length; j++) s += alphabet[next(alphabet.length)];
    out.push(s);
  }
  return out;
}

describe('re2ToJs', () => {
  it('translates the subset and refuses the rest', () => {
    for (const p of TRANSLATED) expect(re2ToJs(p)?.regex, p).toBeInstanceOf(RegExp);
    for (const p of REFUSED) expect(re2ToJs(p), p).toBeUndefined();
  });

  it('matches exactly the strings re2js matches', () => {
    const strings = samples(3000, 7);
    for (const p of TRANSLATED) {
      const js = re2ToJs(p)?.regex;
      const re2 = RE2JS.compile(p);
      const differ = strings.filter((s) => js?.test(s) !== re2.test(s));
      expect(differ, p).toEqual([]);
    }
  });

  it('runs on V8 only what cannot backtrack without bound, and knows what a match must contain', () => {
    const bounded = (p: string) => re2ToJs(p)?.bounded;
    for (const name of DETECTOR_NAMES)
      expect(bounded(DETECTORS[name].regex), name).toBe(name !== 'email');
    expect(re2ToJs(DETECTORS.email.regex)?.required).toBe('@');
    expect(bounded('^[a-z][a-z0-9-]{1,40}$')).toBe(true);
    expect(bounded('a+')).toBe(false);
    expect(bounded('(?:a{1,30}){1,30}')).toBe(false);
    expect(re2ToJs('[a-z0-9-]+\\.corp\\.acme\\.internal')?.required).toBe('.corp.acme.internal');
    expect(re2ToJs('(?i)bearer [a-z]+')?.required).toBe(' ');
    expect(re2ToJs('ab|cd')?.required).toBe('');
    expect(re2ToJs('x(ab|cd)y+')?.required).toBe('x');
  });

  it('gives the answers of re2js through regexMatches, prefilter or not', () => {
    const strings = samples(3000, 13);
    for (const p of [
      ...TRANSLATED,
      ...REFUSED.filter((r) => !['[]a]', 'a{2', '^*', '\\b+'].includes(r)),
    ]) {
      const re2 = RE2JS.compile(p);
      const differ = strings.filter((s) => regexMatches(p, s) !== re2.test(s));
      expect(differ, p).toEqual([]);
    }
  });

  it('tests the email detector on V8 (an equivalent pattern) with the answers of re2js', () => {
    // Strings dense in the detector's three classes and its separators, so that most of them
    // are near misses or hits: runs around `@`, dots, one or two letters after a dot.
    const alphabet = [...'aZ0._%+-@.', ' ', 'é', '😀', 'ab', '.co', '.c', 'x@y', 'a.b@'];
    let state = 29;
    const next = (n: number) => {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      return state % n;
    };
    const strings = Array.from({ length: 20_000 }, () => {
      let s = '';
      const length = next(14);
      for (let j = 0; j < length; j++) s += alphabet[next(alphabet.length)];
      return s;
    });
    const email = DETECTORS.email.regex;
    const re2 = RE2JS.compile(email);
    const hits = strings.filter((s) => re2.test(s)).length;
    expect(hits).toBeGreaterThan(1000);
    expect(hits).toBeLessThan(strings.length - 1000);
    expect(strings.filter((s) => regexMatches(email, s) !== re2.test(s))).toEqual([]);
  });

  it('redacts as re2js does (replace-all on V8 only for patterns that cannot match empty)', () => {
    const examples = DETECTOR_NAMES.map((name) => DETECTORS[name].example);
    const strings = [
      ...samples(2000, 17),
      ...examples.flatMap((e) => [e, `x ${e}, ${e}.`, `${e}${e}`, `(${e})`]),
      examples.join(' '),
      'MRN-12345678MRN-00000001 bearer abc.def== BEARER x',
    ];
    for (const p of TRANSLATED) {
      const re2 = RE2JS.compile(p).re2();
      const differ = strings.filter((s) => redactMatches(p, s) !== re2.replaceAll(s, '[REDACTED]'));
      expect(differ, p).toEqual([]);
    }
    expect(re2ToJs(DETECTORS.ssn.regex)?.nonEmpty).toBe(true);
    expect(re2ToJs('x*')?.nonEmpty).toBe(false);
    expect(re2ToJs('a|')?.nonEmpty).toBe(false);
    expect(re2ToJs('\\bx{0,2}\\b')?.nonEmpty).toBe(false);
  });

  it('matches as OPA regex.match does', () => {
    const strings = [...samples(60, 11), 'x\n', '\n', 'KELVIN \u212a', 'ſcript', 'a\u2028c'];
    const got = opaEval(
      '[[regex.match(p, s) | some s in input.strings] | some p in input.patterns]',
      JSON.stringify({ patterns: TRANSLATED, strings }),
    );
    expect(TRANSLATED.map((p) => strings.map((s) => regexMatches(p, s)))).toEqual(got);
  });
});
