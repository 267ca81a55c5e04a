import { describe, expect, it } from 'vitest';
import { instantMs, parseRfc3339 } from '../../src/engine/rfc3339.js';
import { localTime } from '../../src/engine/time-window.js';
import { opaEval } from './opa-eval.js';

const ZONES = [
  'UTC',
  'America/New_York',
  'Europe/Berlin',
  'Europe/Dublin',
  'America/Chicago',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'America/St_Johns',
  'Pacific/Chatham',
  'Asia/Kathmandu',
  'Pacific/Kiritimati',
  'America/Sao_Paulo',
];

/** Instants around the 2026 DST changes, midnights, and spread over the years OPA can represent. */
function instants(): string[] {
  const out = [
    '2026-03-08T06:59:59.999Z',
    '2026-03-08T07:00:00Z',
    '2026-11-01T05:59:59Z',
    '2026-11-01T06:00:00Z',
    '2026-11-01T06:59:59Z',
    '2026-03-29T00:59:59Z',
    '2026-03-29T01:00:00Z',
    '2026-10-25T00:59:59Z',
    '2026-10-25T01:00:00Z',
    '2026-04-05T14:59:59Z',
    '2026-04-05T15:00:00Z',
    '2026-11-21T23:59:59Z',
    '2026-11-22T00:00:00Z',
    '1969-12-31T23:59:59.999999999Z',
    '1970-01-01T00:00:00Z',
    '2000-02-29T12:00:00Z',
    '2038-01-19T03:14:08Z',
  ];
  let state = 99;
  for (let i = 0; i < 120; i++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const year = 1990 + (state % 60);
    const day = 1 + (state % 365);
    const second = state % 86_400;
    const ms = Date.UTC(year, 0, day) + second * 1000;
    out.push(new Date(ms).toISOString());
  }
  return out;
}

describe('local time in an IANA zone', () => {
  it('agrees with time.clock and time.weekday (opa eval)', () => {
    const times = instants();
    const got = opaEval(
      '[[[time.clock([n, z]), time.weekday([n, z])] | some z in input.zones] | some t in input.times; n := time.parse_rfc3339_ns(t)]',
      JSON.stringify({ zones: ZONES, times }),
    ) as [[number, number, number], string][][];
    const mismatches: string[] = [];
    times.forEach((t, i) => {
      const instant = parseRfc3339(t);
      if (!instant) throw new Error(`bad instant ${t}`);
      ZONES.forEach((zone, j) => {
        const [clock, weekday] = got[i]?.[j] ?? [[0, 0, 0], ''];
        const expected = `${weekday.slice(0, 3).toLowerCase()} ${clock[0] * 60 + clock[1]}`;
        const local = localTime(instantMs(instant), zone);
        const mine = `${local?.weekday} ${local?.minute}`;
        if (mine !== expected) mismatches.push(`${t} in ${zone}: opa ${expected}, aegis ${mine}`);
      });
    });
    expect(mismatches).toEqual([]);
  });

  it('uses hour 0, never 24, at midnight', () => {
    expect(localTime(Date.parse('2026-11-22T05:00:00Z'), 'America/New_York')).toEqual({
      weekday: 'sun',
      minute: 0,
    });
    expect(localTime(Date.parse('2026-11-21T23:00:00Z'), 'Europe/Berlin')).toEqual({
      weekday: 'sun',
      minute: 0,
    });
  });
});
