/** The building blocks of the replay: rate windows, exact daily spend, keys, shards. */
import { describe, expect, test } from 'vitest';
import { fnv1a32, formatShard, parseShard, shardOf } from '../../src/simulator/shard.js';
import {
  addDecimals,
  costOf,
  DAY_NS,
  DailySpend,
  decimalToNumber,
  SECOND_NS,
  TimeWindow,
  UsageTracker,
  utcDay,
  ZERO,
} from '../../src/simulator/usage.js';

describe('TimeWindow', () => {
  test('counts (from, to], keeps ties, inserts out-of-order times in place', () => {
    const w = new TimeWindow();
    for (const t of [10n, 20n, 20n, 30n]) w.add(t);
    w.add(15n);
    expect(w.countIn(10n, 20n)).toBe(3);
    expect(w.countIn(9n, 30n)).toBe(5);
    expect(w.countIn(30n, 40n)).toBe(0);
    w.prune(20n);
    expect(w.size).toBe(1);
    expect(w.countIn(0n, 100n)).toBe(1);
  });

  test('stays small when pruned continuously', () => {
    const w = new TimeWindow();
    for (let i = 0n; i < 100_000n; i++) {
      w.add(i * 1000n);
      w.prune(i * 1000n - SECOND_NS / 1000n);
    }
    expect(w.size).toBeLessThanOrEqual(1001);
  });
});

describe('exact spend', () => {
  test('decimal sums are exact and rounded to a double only at the end', () => {
    let sum = ZERO;
    for (let i = 0; i < 1000; i++) sum = addDecimals(sum, costOf(0.1));
    expect(decimalToNumber(sum)).toBe(100);
    expect(decimalToNumber(addDecimals(costOf(0.1), costOf(0.2)))).toBe(0.3);
    expect(decimalToNumber(addDecimals(costOf(1e-7), costOf(3)))).toBe(3.0000001);
    expect(decimalToNumber(addDecimals(costOf(0.5), costOf(-0.5)))).toBe(0);
    expect(costOf('1')).toEqual(ZERO);
    expect(costOf(Number.NaN)).toEqual(ZERO);
  });

  test('a day ledger resets on a new day and ignores calls of an earlier day', () => {
    const spend = new DailySpend();
    spend.add(5n, 'a', costOf(1.5));
    spend.add(5n, 'b', costOf(2));
    expect(decimalToNumber(spend.seen(5n, 'a').tool)).toBe(1.5);
    expect(decimalToNumber(spend.seen(5n, 'a').agent)).toBe(3.5);
    expect(spend.seen(6n, 'a')).toEqual({ tool: ZERO, agent: ZERO });
    expect(spend.seen(4n, 'a')).toEqual({ tool: ZERO, agent: ZERO });
    const copy = spend.clone();
    spend.add(4n, 'a', costOf(100));
    expect(decimalToNumber(spend.seen(5n, 'b').agent)).toBe(3.5);
    spend.add(6n, 'a', costOf(0.25));
    expect(decimalToNumber(spend.seen(6n, 'a').agent)).toBe(0.25);
    expect(decimalToNumber(copy.seen(5n, 'a').agent)).toBe(3.5);
  });

  test('UTC days floor, also before 1970', () => {
    expect(utcDay(0n)).toBe(0n);
    expect(utcDay(DAY_NS - 1n)).toBe(0n);
    expect(utcDay(DAY_NS)).toBe(1n);
    expect(utcDay(-1n)).toBe(-1n);
    expect(utcDay(-DAY_NS)).toBe(-1n);
  });
});

describe('UsageTracker', () => {
  test('windows per tool and per agent; keys idle for more than a day are dropped', () => {
    const usage = new UsageTracker(1);
    const t0 = 1_000n * DAY_NS;
    expect(usage.attempt('a', 'x', t0)).toMatchObject({ toolRps: 1, agentRps: 1 });
    expect(usage.attempt('a', 'y', t0 + 1n)).toMatchObject({ toolRps: 1, agentRps: 2 });
    expect(usage.attempt('a', 'x', t0 + SECOND_NS)).toMatchObject({ toolRps: 1, agentRps: 2 });
    expect(usage.attempt('b', 'x', t0 + SECOND_NS)).toMatchObject({ toolRps: 1, agentRps: 1 });
    usage.sweep(t0 + DAY_NS + SECOND_NS);
    expect(usage.size).toBe(2);
    usage.attempt('b', 'x', t0 + DAY_NS + 2n * SECOND_NS);
    usage.sweep(t0 + DAY_NS + 2n * SECOND_NS);
    expect(usage.size).toBe(1);
    // A key that comes back starts afresh, as it would have anyway.
    expect(usage.attempt('a', 'x', t0 + 2n * DAY_NS)).toMatchObject({ toolRps: 1, agentRps: 1 });
  });
});

describe('shards', () => {
  test('FNV-1a 32-bit, the documented hash', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    expect(shardOf('acme', 'bot', 7)).toBe(fnv1a32('acme\0bot') % 7);
    expect(shardOf(undefined, 'bot', 7)).toBe(fnv1a32('\0bot') % 7);
    expect(shardOf('acme', 'bot', 1)).toBe(0);
  });

  test('i/n is parsed and checked', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    expect(formatShard({ index: 0, count: 3 })).toBe('0/3');
    expect(() => parseShard('4/4')).toThrow(/0 to 3/);
    expect(() => parseShard('1/0')).toThrow(/positive/);
    expect(() => parseShard('1-4')).toThrow(/i\/n/);
  });
});
