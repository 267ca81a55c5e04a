import { describe, expect, it } from 'vitest';
import { parseRfc3339Ns, RFC3339_PATTERN } from '../../src/engine/rfc3339.js';
import { opaEval } from './opa-eval.js';

const VALID: [string, bigint][] = [
  ['1970-01-01T00:00:00Z', 0n],
  ['2026-11-21T15:04:05Z', 1_795_273_445_000_000_000n],
  ['2026-11-21T15:04:05.5Z', 1_795_273_445_500_000_000n],
  ['2026-11-21T16:04:05+01:00', 1_795_273_445_000_000_000n],
  ['2026-11-21T10:04:05-05:00', 1_795_273_445_000_000_000n],
  ['2026-11-21T15:04:05.1234567891234Z', 1_795_273_445_123_456_789n],
  ['2024-02-29T00:00:00Z', 1_709_164_800_000_000_000n],
  ['1969-12-31T23:59:59.999999999Z', -1n],
  ['2262-04-11T23:47:16.854775807Z', 9_223_372_036_854_775_807n],
  ['1677-09-21T00:12:43.145224192Z', -9_223_372_036_854_775_808n],
];

const INVALID = [
  '2026-11-21 15:04:05Z',
  '2026-11-21t15:04:05Z',
  '2026-11-21T15:04:05z',
  '2026-11-21T15:04:05',
  '2026-11-21T5:04:05Z',
  '2026-11-21T15:04:05,5Z',
  '2026-11-21T15:04:05+24:00',
  '2026-11-21T15:04:05+01:60',
  '2026-11-21T15:04:05+0100',
  '2026-11-21T24:00:00Z',
  '2026-11-21T15:60:00Z',
  '2026-11-21T15:04:60Z',
  '2026-02-29T00:00:00Z',
  '2100-02-29T00:00:00Z',
  '2026-04-31T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-00-01T00:00:00Z',
  '2026-11-00T00:00:00Z',
  '2026-11-21T15:04:05.Z',
  '2262-04-11T23:47:16.854775808Z',
  '1677-09-21T00:12:43.145224191Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '+2026-11-21T15:04:05Z',
  '２０２６-11-21T15:04:05Z',
  ' 2026-11-21T15:04:05Z',
  '',
];

describe('parseRfc3339Ns', () => {
  it.each(VALID)('%s', (text, ns) => {
    expect(parseRfc3339Ns(text)).toBe(ns);
  });

  it.each(INVALID)('refuses %j', (text) => {
    expect(parseRfc3339Ns(text)).toBeUndefined();
  });

  it('accepts exactly what the Rego accepts: the pattern, then time.parse_rfc3339_ns (opa eval)', () => {
    const texts = [...VALID.map(([t]) => t), ...INVALID, ...generated()];
    const got = opaEval(
      '[[regex.match(input.pattern, s), [json.marshal(n) | n := time.parse_rfc3339_ns(s)]] | some s in input.texts]',
      JSON.stringify({ pattern: RFC3339_PATTERN, texts }),
    ) as [boolean, string[]][];
    const mismatches = texts.flatMap((t, i) => {
      const [form, ns] = got[i] ?? [false, []];
      const opa = form && ns.length === 1 ? ns[0] : undefined;
      const mine = parseRfc3339Ns(t)?.toString();
      return mine === opa ? [] : [`${t}: opa ${opa}, aegis ${mine}`];
    });
    expect(mismatches).toEqual([]);
  });
});

/** Variations around every field's edges, seeded. */
function generated(): string[] {
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const out: string[] = [];
  let state = 12345;
  const rand = (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
  const years = [1677, 1678, 1900, 1969, 1970, 2000, 2024, 2026, 2100, 2261, 2262];
  for (let i = 0; i < 400; i++) {
    const year = years[rand(years.length)] ?? 2026;
    const month = rand(14);
    const day = rand(33);
    const hour = rand(25);
    const minute = rand(61);
    const second = rand(61);
    const frac = ['', '.0', '.123', '.999999999', '.1234567890123'][rand(5)];
    const zone = ['Z', '+00:00', '-00:00', '+05:30', '-12:00', '+23:59', '+14:00'][rand(7)];
    out.push(
      `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}${frac}${zone}`,
    );
  }
  return out;
}
