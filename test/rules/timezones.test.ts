/**
 * Which `tz` names pass: what both aegis's engine (Intl) and OPA (Go's time.LoadLocation,
 * case-sensitive) take. The OPA test loads every accepted name in a real OPA.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { findOpa } from '../../src/engine/opa-binary.js';
import { isKnownTimeZone, suggestTimeZone, timeZoneNames } from '../../src/policy/timezones.js';

const ACCEPTED = [
  'UTC',
  'America/New_York',
  'Europe/Berlin',
  'Asia/Kolkata',
  'Asia/Calcutta',
  'Europe/Kyiv',
  'US/Eastern',
  'Etc/GMT+5',
  'EST5EDT',
  'America/Argentina/ComodRivadavia',
];
const REFUSED = [
  'us/eastern',
  'america/new_york',
  'utc',
  'Local',
  '',
  '+01:00',
  'Mars/Olympus',
  'UTC ',
];

describe('isKnownTimeZone', () => {
  test.each(ACCEPTED)('accepts %j', (name) => expect(isKnownTimeZone(name)).toBe(true));
  test.each(REFUSED)('refuses %j', (name) => expect(isKnownTimeZone(name)).toBe(false));
});

describe('suggestTimeZone', () => {
  test.each([
    ['us/eastern', 'US/Eastern'],
    ['america/new_york', 'America/New_York'],
    ['America/New_Yrok', 'America/New_York'],
    ['Europe/Berln', 'Europe/Berlin'],
  ])('%j -> %j', (name, meant) => expect(suggestTimeZone(name)).toBe(meant));

  test('nothing for a name that is nowhere near a zone', () => {
    expect(suggestTimeZone('Mars/Olympus Mons')).toBeUndefined();
  });
});

describe('against OPA', () => {
  test('OPA loads every accepted name, and none of the wrongly cased ones', async () => {
    const opa = await findOpa({ env: process.env, cwd: process.cwd() });
    if (!opa.ok) throw new Error(`${opa.message}: ${opa.hint}`);
    const accepted = timeZoneNames().filter(isKnownTimeZone);
    const names = [...new Set([...accepted, ...REFUSED.filter((n) => n !== 'Local' && n !== '')])];
    // A builtin error leaves its element out of the comprehension.
    const query = '[tz | some tz in input; time.clock([0, tz])]';
    const out = execFileSync(opa.path, ['eval', '--format', 'raw', '--stdin-input', query], {
      input: JSON.stringify(names),
      maxBuffer: 1 << 24,
    });
    const loaded = new Set(JSON.parse(out.toString()) as string[]);
    expect(accepted.filter((n) => !loaded.has(n))).toEqual([]);
    expect(names.filter((n) => loaded.has(n) && !isKnownTimeZone(n))).toEqual([]);
    expect(accepted.length).toBeGreaterThan(550);
    expect(accepted).toEqual(expect.arrayContaining(ACCEPTED));
  });
});
