/**
 * canMatchEmpty (src/policy/empty-match.ts): whether an RE2 pattern can match the empty string
 * anywhere in any string, over a table of patterns and a generated corpus, with Go's answer
 * (a real OPA's `regex.match`) for every one of them.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { DETECTORS } from '../../src/engine/detectors.js';
import { findOpa } from '../../src/engine/opa-binary.js';
import { canMatchEmpty } from '../../src/policy/empty-match.js';
import { checkRe2 } from '../../src/policy/re2.js';

/** Patterns with an empty match somewhere, each only in some places for most of them. */
const EMPTY = [
  'a*',
  'x|',
  '^',
  '$',
  '(?:)',
  '()',
  '\\b',
  '\\B',
  '$|x',
  '^$',
  '$^',
  '\\A\\z',
  '\\z\\A',
  '\\z^',
  '(?m)$\\A',
  '(?m)$^',
  '(?m)^\\b',
  '\\b^',
  '\\b$',
  'a{0}',
  'a{0,3}',
  '(a|b)?',
  'x*?',
  '(?:a|\\b)',
  '(?U)a*',
  '[^\\x00-\\x{10FFFF}]*',
  '(?i)(?:k|)',
  '\\QMRN\\E|',
];

/** Patterns every match of which is at least one character long. */
const NON_EMPTY = [
  'a',
  'MRN-[0-9]{8}',
  'x*?y',
  '\\ba\\b',
  '\\Ba\\B',
  '\\b\\B',
  '\\A$\\n',
  '^\\z\\n',
  '\\z.',
  '(?m)\\z\\n',
  '(?m)$\\A\\n',
  '\\b\\A\\z',
  '[^\\x00-\\x{10FFFF}]',
  'a+|b{1,}',
  '(?:a*)b',
  '\\QMRN\\E',
  '\\Qa|',
];

describe('canMatchEmpty', () => {
  test.each(EMPTY)('%j can match the empty string', (pattern) => {
    expect(checkRe2(pattern)).toEqual({ ok: true });
    expect(canMatchEmpty(pattern)).toBe(true);
  });

  test.each(NON_EMPTY)('%j cannot', (pattern) => {
    expect(checkRe2(pattern)).toEqual({ ok: true });
    expect(canMatchEmpty(pattern)).toBe(false);
  });

  test('no built-in detector can', () => {
    for (const [name, { regex }] of Object.entries(DETECTORS))
      expect(canMatchEmpty(regex), name).toBe(false);
  });
});

/** Patterns of up to four pieces drawn from assertions, characters and empty-capable parts. */
function corpus(): string[] {
  const pieces = ['a', ' ', '\\n', '\\b', '\\B', '^', '$', '\\A', '\\z', 'a*', '(?:)', '|'];
  const out = new Set<string>();
  // mulberry32: a fixed seed, so the corpus is the same on every run.
  let seed = 7;
  const next = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  for (let tries = 0; out.size < 600 && tries < 10_000; tries++) {
    const length = 1 + next(4);
    let pattern = next(3) === 0 ? '(?m)' : '';
    for (let i = 0; i < length; i++) pattern += pieces[next(pieces.length)];
    if (checkRe2(pattern).ok) out.add(pattern);
  }
  return [...out];
}

describe('against OPA', () => {
  test("Go's regexp finds an empty match of exactly those patterns", async () => {
    const opa = await findOpa({ env: process.env, cwd: process.cwd() });
    if (!opa.ok) throw new Error(`${opa.message}: ${opa.hint}`);
    // \A, then the character before, the pattern, the character after, \z: the pattern must
    // match "" between them, and its assertions see them. A `\Q` left open would quote the
    // wrapping, so the table's open one is left out.
    const sides = [
      ['', ''],
      ['\n', '\\n'],
      ['a', 'a'],
      [' ', '\\x20'],
    ] as const;
    const patterns = [...EMPTY, ...NON_EMPTY.filter((p) => p !== '\\Qa|'), ...corpus()];
    const probes = patterns.map((p) =>
      sides.flatMap(([before, b]) =>
        sides.map(([after, a]) => ({ re: `\\A${b}(?:${p})${a}\\z`, s: `${before}${after}` })),
      ),
    );
    const out = execFileSync(
      opa.path,
      [
        'eval',
        '--format',
        'raw',
        '--stdin-input',
        '[count([1 | some q in probes; regex.match(q.re, q.s)]) | some probes in input]',
      ],
      { input: JSON.stringify(probes), maxBuffer: 64 * 1024 * 1024 },
    );
    const go = (JSON.parse(out.toString()) as number[]).map((matched) => matched > 0);
    expect(go).toHaveLength(patterns.length);
    const disagree = patterns.filter((p, i) => go[i] !== canMatchEmpty(p));
    expect(disagree).toEqual([]);
    // The corpus holds both answers, many times over.
    expect(go.filter(Boolean).length).toBeGreaterThan(100);
    expect(go.filter((x) => !x).length).toBeGreaterThan(100);
  });
});
