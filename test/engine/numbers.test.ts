import { describe, expect, it } from 'vitest';
import {
  compareDecimals,
  type Decimal,
  jsonNumberText,
  opaPlus,
  parseDecimal,
  sumExceeds,
} from '../../src/engine/numbers.js';
import { opaEval } from './opa-eval.js';

/** A canonical text of a decimal's value, for readable assertions. */
function value(d: Decimal): string {
  if (d.m === 0n) return '0';
  let { m, e } = d;
  while (m % 10n === 0n) {
    m /= 10n;
    e += 1;
  }
  return `${m}e${e}`;
}
const same = (a: Decimal, b: Decimal) => compareDecimals(a, b) === 0;

describe('parseDecimal / compareDecimals', () => {
  it.each([
    ['0', '0', 0],
    ['1', '1.0', 0],
    ['1e+21', '1000000000000000000000', 0],
    ['0.1', '0.10000000000000001', -1],
    ['-0.5', '-0.25', -1],
    ['5e-324', '0', 1],
    ['1.7976931348623157e+308', '1e+308', 1],
  ])('%s vs %s', (a, b, expected) => {
    expect(compareDecimals(parseDecimal(a), parseDecimal(b))).toBe(expected);
  });

  it('reads the JSON text JSON.stringify writes', () => {
    expect(jsonNumberText(-0)).toBe('0');
    expect(jsonNumberText(1e21)).toBe('1e+21');
    expect(() => jsonNumberText(Number.NaN)).toThrow();
  });
});

describe('opaPlus: OPA v1 `+` (values checked against opa eval)', () => {
  it.each([
    // OPA formats 0.1 + 0.2 at 64-bit precision as 0.3, so the budget test is not exceeded.
    ['0.1', '0.2', '0.3'],
    ['0.1', '0.7', '0.8'],
    ['120.5', '0.35', '120.85'],
    ['300', '0', '300'],
    // Integers are exact at any size, also in exponent form.
    ['1e+308', '1e+308', '2e+308'],
    ['12345678901234567890', '1', '12345678901234567891'],
    ['2147483647', '1', '2147483648'],
    // A fraction next to a huge integer is lost in 64 bits.
    ['1e+30', '0.5', '1e+30'],
    ['-0.1', '0.1', '0'],
    ['5e-324', '0', '5e-324'],
  ])('%s + %s = %s', (a, b, sum) => {
    expect(value(opaPlus(a, b))).toBe(value(parseDecimal(sum)));
  });

  it('differs from the double sum where OPA does', () => {
    expect(0.1 + 0.2 > 0.3).toBe(true);
    expect(sumExceeds(0.1, 0.2, 0.3)).toBe(false);
    expect(sumExceeds(0.1, 0.2, 0.29999999999999993)).toBe(true);
    expect(sumExceeds(1e308, 1e308, 1.7976931348623157e308)).toBe(true);
    expect(sumExceeds(499.99, 0.01, 500)).toBe(false);
    expect(sumExceeds(499.99, 0.02, 500)).toBe(true);
  });

  it('agrees with opa eval on thousands of generated sums and comparisons', () => {
    const cases = generateCases(3000);
    const texts = cases.map(([a, b, c]) => [
      jsonNumberText(a),
      jsonNumberText(b),
      jsonNumberText(c),
    ]);
    const input = `[${texts.map((t) => `[${t.join(',')}]`).join(',')}]`;
    const got = opaEval(
      '[[json.marshal(s), s > c] | some t in input; s := t[0] + t[1]; c := t[2]]',
      input,
    ) as [string, boolean][];
    expect(got).toHaveLength(cases.length);
    const mismatches: string[] = [];
    cases.forEach(([a, b, c], i) => {
      const [opaSum, opaExceeds] = got[i] ?? ['', false];
      const [ta = '', tb = ''] = texts[i] ?? [];
      const mine = opaPlus(ta, tb);
      if (!same(mine, parseDecimal(opaSum)) || sumExceeds(a, b, c) !== opaExceeds) {
        mismatches.push(
          `${ta} + ${tb} (> ${jsonNumberText(c)}): opa ${opaSum} ${opaExceeds}, aegis ${value(mine)}`,
        );
      }
    });
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
});

/** Seeded, so a failure reproduces. Aims at cents, decimals that are not binary, huge and tiny values. */
function generateCases(n: number): [number, number, number][] {
  let state = 0x2545f491;
  const rand = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const number = (): number => {
    switch (Math.floor(rand() * 9)) {
      case 0:
        return Math.round(rand() * 100_000) / 100;
      case 1:
        return pick([0.1, 0.2, 0.3, 0.7, 0.35, 1.1, 2.675, 1e-7, 0.000001, 33.33]);
      case 2:
        return Math.floor(rand() * 2 ** 33) - 2 ** 32;
      case 3:
        return (rand() - 0.5) * 10 ** Math.floor(rand() * 40 - 20);
      case 4:
        return pick([
          1e21,
          1e30,
          2 ** 53 + 2,
          1e308,
          1.7976931348623157e308,
          9007199254740992,
          123456789012345680000,
        ]);
      case 5:
        return pick([5e-324, 2.2250738585072014e-308, 1e-300, 4.9e-300]);
      case 6:
        return Number((rand() * 1000).toPrecision(1 + Math.floor(rand() * 17)));
      case 7:
        return rand() * 2 ** Math.floor(rand() * 120 - 30);
      default:
        return pick([0, 1, -1, 500, 499.99, 0.01]);
    }
  };
  const out: [number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    const a = number();
    const b = number();
    const sum = a + b;
    const limit = Number.isFinite(sum)
      ? pick([
          sum,
          Number(sum.toPrecision(15)),
          Number(sum.toPrecision(17)),
          nextUp(sum),
          nextDown(sum),
          number(),
        ])
      : number();
    out.push([a, b, Number.isFinite(limit) ? limit : 0]);
  }
  return out;
}

function nextUp(x: number): number {
  return step(x, 1);
}
function nextDown(x: number): number {
  return step(x, -1);
}
function step(x: number, dir: 1 | -1): number {
  if (x === 0) return dir * 5e-324;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  view.setBigUint64(0, x > 0 === dir > 0 ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}
