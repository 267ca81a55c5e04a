import { describe, expect, it } from 'vitest';
import {
  codePointLength,
  compareCodePoints,
  goLower,
  jsonPointer,
} from '../../src/engine/strings.js';
import { opaEval } from './opa-eval.js';

const WORDS = [
  '',
  'a',
  'B',
  'b',
  'ab',
  'é',
  'e\u0301',
  '\uff41',
  '\u{1f600}',
  '\u{10000}',
  '\ue000',
  '\ud7ff',
  'ß',
  'İ',
  'Σ',
  'ΣΑΣ',
  'ǅ',
  'Ꭰ',
  'K',
  '~',
  'a/b',
];

describe('strings as Go and Rego see them (checked against opa eval)', () => {
  it('sorts by code point like Rego sort', () => {
    const got = opaEval('sort(input)', JSON.stringify(WORDS));
    expect([...WORDS].sort(compareCodePoints)).toEqual(got);
    // JavaScript's default order differs on surrogates vs U+E000..U+FFFF.
    expect([...WORDS].sort()).not.toEqual(got);
  });

  it('counts code points like Rego count', () => {
    const got = opaEval('[count(s) | some s in input]', JSON.stringify(WORDS));
    expect(WORDS.map(codePointLength)).toEqual(got);
  });

  it('lower-cases like Rego lower', () => {
    const samples = [...WORDS, 'API.Stripe.COM', 'İSTANBUL', 'ΣΑΣ ΣΑΣ', 'ǄǅǆǇ', 'ẞ', 'Ω K Å', '𐐀𐐁'];
    const got = opaEval('[lower(s) | some s in input]', JSON.stringify(samples));
    expect(samples.map(goLower)).toEqual(got);
  });

  it('escapes JSON pointers per RFC 6901', () => {
    expect(jsonPointer(['a/b', '~x', 0, ''])).toBe('/a~1b/~0x/0/');
    expect(jsonPointer([])).toBe('');
  });
});
