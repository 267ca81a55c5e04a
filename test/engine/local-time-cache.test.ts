/**
 * localTime answers from an offset it keeps per zone and UTC hour: instant after instant, as a
 * replay asks, it must give what Intl gives for each instant on its own, across DST changes
 * (whole hours, Lord Howe's half hour), odd offsets (Kathmandu +05:45, Chatham +12:45) and
 * local mean times with offsets in seconds (New York before 1883, Amsterdam's +00:19:32).
 */
import { describe, expect, it } from 'vitest';
import { localTime } from '../../src/engine/time-window.js';

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** The local weekday and minute of the day, straight from Intl. */
function reference(ms: number, tz: string): { weekday: string; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    weekday: 'short',
    hour: 'numeric',
    minute: 'numeric',
  }).formatToParts(ms);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    weekday:
      WEEKDAYS[['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'))] ?? '',
    minute: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

const RANGES: [string, string][] = [
  ['America/New_York', '2026-03-08T05:30:00Z'],
  ['America/New_York', '2026-11-01T04:30:00Z'],
  ['Europe/Berlin', '2026-03-29T00:00:00Z'],
  ['Europe/Berlin', '2026-10-25T00:00:00Z'],
  ['Australia/Lord_Howe', '2026-04-04T14:00:00Z'],
  ['Australia/Lord_Howe', '2026-10-03T15:00:00Z'],
  ['Asia/Kathmandu', '1985-12-31T18:00:00Z'],
  ['Pacific/Chatham', '2026-04-04T13:00:00Z'],
  ['America/New_York', '1883-11-18T16:30:00Z'],
  ['Europe/Amsterdam', '1937-06-30T23:00:00Z'],
  ['Europe/Dublin', '2026-10-25T00:30:00Z'],
];

describe('localTime, kept per zone and hour', () => {
  it.each(RANGES)('agrees with Intl instant by instant in %s from %s', (tz, from) => {
    const start = Date.parse(from);
    const differ: string[] = [];
    // Three hours in steps of 47.3 s: every minute boundary lands at another second.
    for (let ms = start; ms < start + 3 * 3_600_000; ms += 47_300) {
      const got = localTime(ms, tz);
      const want = reference(ms, tz);
      if (got?.weekday !== want.weekday || got.minute !== want.minute)
        differ.push(
          `${new Date(ms).toISOString()}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`,
        );
    }
    expect(differ).toEqual([]);
  });
});

describe('localTime, asked in any order', () => {
  it('agrees with Intl when the instants of every range come shuffled together', () => {
    // A batch of inputs (eval of JSON Lines, a report's examples) jumps between hours and
    // zones, and comes back to hours it asked about before, uniform ones and the DST hours.
    const asks: [number, string][] = [];
    for (const [tz, from] of RANGES) {
      const start = Date.parse(from);
      for (let ms = start; ms < start + 3 * 3_600_000; ms += 611_000) asks.push([ms, tz]);
    }
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const shuffled = [...asks, ...asks];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [
        shuffled[j] as [number, string],
        shuffled[i] as [number, string],
      ];
    }
    const differ = shuffled.flatMap(([ms, tz]) => {
      const got = localTime(ms, tz);
      const want = reference(ms, tz);
      return got?.weekday === want.weekday && got.minute === want.minute
        ? []
        : [
            `${tz} ${new Date(ms).toISOString()}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`,
          ];
    });
    expect(shuffled.length).toBeGreaterThan(300);
    expect(differ).toEqual([]);
  });
});
