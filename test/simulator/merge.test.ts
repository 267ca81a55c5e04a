/**
 * `--shard i/n` + `mergeReports` must give exactly the unsharded report: on generated traces
 * with several keys, ties, reordered and late events, idle gaps of more than a day (keys are
 * swept), skipped and malformed records, recorded decisions and a baseline.
 */
import { describe, expect, test } from 'vitest';
import type { Engine } from '../../src/engine/engines.js';
import { evaluate } from '../../src/engine/evaluate.js';
import type { PolicySet } from '../../src/engine/policy-set.js';
import { mergeReports } from '../../src/simulator/merge.js';
import { type ReplayOptions, replay } from '../../src/simulator/replay.js';
import type { SimulationReport, TraceRecord } from '../../src/simulator/types.js';
import { Random } from '../conformance/generate.js';
import { irOf } from '../engine/helpers.js';

const CANDIDATE = `
agent: bot
allowed_tools:
  - name: search
    rate_limit: { rps: 3 }
  - name: pay
    conditions: { max_amount: 1000, approval_needed_over: 500 }
    budget: { daily_usd: 20, on_exceed: approval_needed }
  - name: fetch
    sanitize: { detectors: [email] }
rate_limit: { rps: 6 }
budget: { daily_usd: 30 }
---
agent: payer
tenant: acme
allowed_tools:
  - name: pay
    budget: { daily_usd: 10 }
budget: { daily_usd: 12 }
---
agent: payer
mode: shadow
allowed_tools:
  - name: pay
    budget: { daily_usd: 5 }
`;

const BASELINE = `
agent: bot
allowed_tools:
  - name: search
  - name: pay
    budget: { daily_usd: 40 }
  - name: shell
---
agent: payer
allowed_tools:
  - name: pay
    budget: { daily_usd: 8 }
`;

function setOf(yaml: string, revision: string): PolicySet {
  return { origin: 'sources', revision, ir: irOf(yaml), modules: [], data: {} };
}

const candidate = setOf(CANDIDATE, 'cand');
const baseline = setOf(BASELINE, 'base');

/** The native evaluator behind a batched engine's name, to drive the speculative path. */
function engineOf(set: PolicySet, name: Engine['name']): Engine {
  return {
    name,
    evaluateMany: async (xs) => xs.map((x) => evaluate(set.ir, x)),
    close: async () => {},
  };
}

/** Chosen so that every one of 4 shards gets keys (FNV-1a: shards 2, 3, 0, 0, 2, 2, 0, 1). */
const KEYS: [string | undefined, string][] = [
  ['acme', 'bot'],
  ['gamma', 'bot'],
  [undefined, 'bot'],
  ['', 'bot'],
  ['beta', 'bot'],
  ['acme', 'payer'],
  [undefined, 'payer'],
  ['gamma', 'reader'],
];
const TOOLS = ['search', 'pay', 'fetch', 'shell'];
const COSTS = [0, 0.1, 0.2, 0.35, 1.5, 7];
const OUTCOMES = ['allow', 'sanitize', 'approval_needed', 'deny'];

interface TraceShape {
  seed: number;
  count: number;
  /** Which keys carry recorded decisions (default: half of all events, at random). */
  recorded?: (tenant: string | undefined, agent: string) => boolean;
}

function generateTrace({ seed, count, recorded }: TraceShape): TraceRecord[] {
  const r = new Random(seed);
  const records: TraceRecord[] = [];
  let t = Date.parse('2026-11-20T22:00:00Z') * 1_000_000;
  let line = 0;
  let key = KEYS[0] as [string | undefined, string];
  let tool = 'search';
  for (let i = 0; i < count; i++) {
    const file = i < count / 2 ? 'a.jsonl' : 'b.jsonl';
    if (i === Math.floor(count / 2)) line = 0;
    line++;
    const origin = { file, line };
    if (r.chance(0.02)) {
      records.push({ kind: 'skip', origin, reason: 'not a tool call' });
      continue;
    }
    if (r.chance(0.02)) {
      records.push({ kind: 'malformed', origin, error: `bad record ${i}` });
      continue;
    }
    // Mostly small steps, ties, now and then a gap of hours or of more than a day.
    const step = r.chance(0.1)
      ? 0
      : r.chance(0.005)
        ? 26 * 3600e9
        : r.chance(0.01)
          ? 3 * 3600e9
          : r.int(300) * 1e6;
    t += step;
    // Some events out of order: within the 5 s window, beyond it (late), or a day late
    // (their key may have been swept meanwhile, which must happen alike in every shard).
    const time = r.chance(0.04)
      ? t - r.int(20_000) * 1e6
      : r.chance(0.01)
        ? t - (24 * 3600e9 + r.int(3600e3) * 1e6)
        : t;
    // Runs of calls by one key to one tool, so that rate limits trip.
    if (!r.chance(0.6)) {
      key = r.pick(KEYS.slice(0, i < count * 0.6 ? KEYS.length : 4));
      tool = r.pick(TOOLS);
    }
    const [tenant, agent] = key;
    const params: Record<string, unknown> =
      tool === 'pay' ? { amount: r.pick([5, 50, 600, 2000]) } : { q: r.pick(['x', 'a@b.example']) };
    const timeNs = BigInt(time);
    const iso = new Date(Math.floor(time / 1e6)).toISOString();
    const withRecord = recorded ? recorded(tenant, agent) : r.chance(0.5);
    records.push({
      kind: 'event',
      origin,
      format: 'aegis-jsonl',
      timeNs,
      input: {
        agent: r.chance(0.01)
          ? { id: 42 }
          : { id: agent, ...(tenant !== undefined ? { tenant } : {}) },
        tool: { name: tool },
        params,
        context: { time: iso, cost_usd: r.pick(COSTS) },
      },
      ...(withRecord ? { recorded: { decision: r.pick(OUTCOMES) } } : {}),
      ...(r.chance(0.3) ? { traceId: `t${i}`, spanId: `s${i}` } : {}),
    });
  }
  return records;
}

async function* stream(records: readonly TraceRecord[]): AsyncIterable<TraceRecord> {
  yield* records;
}

type Extra = Omit<ReplayOptions, 'candidate' | 'baseline'>;

async function run(
  records: readonly TraceRecord[],
  engine: Engine['name'],
  withBaseline: boolean,
  extra: Extra = {},
): Promise<SimulationReport> {
  return replay(stream(records), {
    candidate: { set: candidate, engine: engineOf(candidate, engine) },
    ...(withBaseline ? { baseline: { set: baseline, engine: engineOf(baseline, engine) } } : {}),
    examplesPerTransition: 3,
    ...extra,
  });
}

async function sharded(
  records: readonly TraceRecord[],
  engine: Engine['name'],
  withBaseline: boolean,
  count: number,
  extra: Extra = {},
): Promise<SimulationReport[]> {
  const reports: SimulationReport[] = [];
  for (let index = 0; index < count; index++)
    reports.push(await run(records, engine, withBaseline, { ...extra, shard: { index, count } }));
  return reports;
}

describe('shards merge into the unsharded report', () => {
  const trace = generateTrace({ seed: 7, count: 4000 });

  test.each([
    ['native', false],
    ['native', true],
    ['wasm', true],
  ] as const)('engine %s, baseline %s', async (engine, withBaseline) => {
    const full = await run(trace, engine, withBaseline, { batchSize: 37 });
    // The trace exercises what the merge has to get right.
    expect(full.late).toBeGreaterThan(10);
    expect(full.evaluated).toBeGreaterThan(3000);
    expect(full.skipped + full.malformed).toBeGreaterThan(50);
    expect(full.first_malformed).toHaveLength(20);
    expect(Object.keys(full.changes).length).toBeGreaterThan(3);
    expect(full.examples.length).toBeGreaterThan(9);
    expect(full.by_code).toHaveProperty('budget_exceeded');
    expect(full.by_code).toHaveProperty('agent_budget_exceeded');
    expect(full.by_code).toHaveProperty('rate_limited');
    expect(Object.keys(full.timeline).length).toBeGreaterThan(4);

    const shards = await sharded(trace, engine, withBaseline, 4, { batchSize: 5 });
    for (const s of shards) expect(s.evaluated).toBeGreaterThan(0);
    expect(shards.map((s) => s.shard)).toEqual(['0/4', '1/4', '2/4', '3/4']);
    // Each shard read every record, with the default window; the merged report, like the
    // unsharded one, has no run.
    for (const s of shards)
      expect(s.run).toEqual({
        records: trace.length,
        traces: shards[0]?.run?.traces,
        reorder_window_ms: 5000,
      });
    expect(shards[0]?.run?.traces).toMatch(/^[0-9a-f]{16}$/);
    expect(full.run).toBeUndefined();
    const merged = mergeReports([shards[2], shards[0], shards[3], shards[1]] as SimulationReport[]);
    expect(merged).toEqual(full);
    // Same key order too: the JSON is byte-identical.
    expect(JSON.stringify(merged)).toBe(JSON.stringify(full));
  });

  test('--since/--until ranges and a trace recorded for one key only', async () => {
    const oneKey = generateTrace({
      seed: 11,
      count: 3000,
      recorded: (tenant, agent) => tenant === 'acme' && agent === 'bot',
    });
    const extra = {
      since: BigInt(Date.parse('2026-11-20T22:10:00Z')) * 1_000_000n,
      until: BigInt(Date.parse('2026-11-23T00:00:00Z')) * 1_000_000n,
    };
    const full = await run(oneKey, 'native', false, extra);
    expect(full.compared_with).toBe('recorded');
    expect(full.filtered).toBeGreaterThan(0);
    const shards = await sharded(oneKey, 'native', false, 3, extra);
    expect(shards[0]?.run).toEqual({
      records: oneKey.length,
      traces: expect.stringMatching(/^[0-9a-f]{16}$/),
      since: '2026-11-20T22:10:00Z',
      until: '2026-11-23T00:00:00Z',
      reorder_window_ms: 5000,
    });
    // Only some shards saw recorded decisions; the others list would-block examples.
    expect(new Set(shards.map((s) => s.compared_with))).toEqual(new Set(['recorded', 'none']));
    expect(mergeReports(shards)).toEqual(full);
  });

  test('keys are swept at the same point of the trace in every shard', async () => {
    // acme/bot is in shard 0 of 2, gamma/bot in shard 1. gamma/bot's calls a day later sweep
    // acme/bot's state; acme/bot's late call then sees no spend, in the shard as in the whole.
    const base = Date.parse('2026-11-20T10:00:00Z');
    const at = (ms: number, who: string, cost: number, line: number): TraceRecord => {
      const [tenant, agent] = who.split('/');
      return {
        kind: 'event',
        origin: { file: 'sweep.jsonl', line },
        format: 'aegis-jsonl',
        timeNs: BigInt(base + ms) * 1_000_000n,
        input: {
          agent: { id: agent, tenant },
          tool: { name: 'pay' },
          params: { amount: 5 },
          context: { time: new Date(base + ms).toISOString(), cost_usd: cost },
        },
      };
    };
    const day = 86_400_000;
    const records = [
      at(0, 'acme/bot', 15, 1),
      at(day + 7_200_000, 'gamma/bot', 1, 2),
      at(day + 7_210_000, 'gamma/bot', 1, 3),
      at(60_000, 'acme/bot', 10, 4),
    ];
    const full = await run(records, 'native', false);
    expect(full.late).toBe(1);
    expect(full.outcomes.allow).toBe(4);
    const shards = await sharded(records, 'native', false, 2);
    expect(shards.map((s) => s.evaluated)).toEqual([2, 2]);
    expect(mergeReports(shards)).toEqual(full);
  });

  test('one shard is the whole run', async () => {
    const full = await run(trace, 'native', false);
    const [only] = await sharded(trace, 'native', false, 1);
    expect(only?.shard).toBe('0/1');
    expect(mergeReports([only as SimulationReport])).toEqual(full);
  });
});

describe('mergeReports refuses what cannot add up', () => {
  const trace = generateTrace({ seed: 3, count: 300 });
  let shards: SimulationReport[] = [];
  const ready = (async () => {
    shards = await sharded(trace, 'native', false, 2);
  })();

  test.each([
    ['no reports', () => [], /no reports/],
    [
      'another format version',
      (s: SimulationReport[]) => [s[0], { ...s[1], format_version: 2 }],
      /format_version 2/,
    ],
    [
      'another revision',
      (s: SimulationReport[]) => [s[0], { ...s[1], policy: { revision: 'x', engine: 'native' } }],
      /policy revisions/,
    ],
    [
      'another engine',
      (s: SimulationReport[]) => [s[0], { ...s[1], policy: { revision: 'cand', engine: 'opa' } }],
      /engines/,
    ],
    [
      'a baseline on one side',
      (s: SimulationReport[]) => [s[0], { ...s[1], baseline: { revision: 'b' } }],
      /baselines/,
    ],
    ['a shard twice', (s: SimulationReport[]) => [s[0], s[1], s[1]], /1\/2 is given twice/],
    ['a shard missing', (s: SimulationReport[]) => [s[1]], /0\/2 missing/],
    [
      'different shard counts',
      (s: SimulationReport[]) => [s[0], { ...s[1], shard: '1/3' }],
      /shards of 2 and of 3/,
    ],
    [
      'sharded and unsharded',
      (s: SimulationReport[]) => [s[0], { ...s[1], shard: undefined }],
      /unsharded/,
    ],
    [
      'not a report',
      (s: SimulationReport[]) => [s[0], { format_version: 1 }],
      /no number "events"/,
    ],
    [
      'shards of another trace',
      (s: SimulationReport[]) => [s[0], { ...s[1], run: { ...s[1]?.run, records: 299 } }],
      /not of one run: trace records read 300 vs 299/,
    ],
    [
      'shards with another --since',
      (s: SimulationReport[]) => [
        s[0],
        { ...s[1], run: { ...s[1]?.run, since: '2026-11-21T00:00:00.000Z' } },
      ],
      /not of one run: --since none vs 2026-11-21T00:00:00.000Z/,
    ],
    [
      'shards with another --until',
      (s: SimulationReport[]) => [{ ...s[0], run: { ...s[0]?.run, until: 'x' } }, s[1]],
      /not of one run: --until x vs none/,
    ],
    [
      'shards with another reorder window',
      (s: SimulationReport[]) => [s[0], { ...s[1], run: { ...s[1]?.run, reorder_window_ms: 0 } }],
      /not of one run: --reorder-window \(ms\) 5000 vs 0/,
    ],
    [
      'a run that is not an object',
      (s: SimulationReport[]) => [s[0], { ...s[1], run: 7 }],
      /"run" that is not an object/,
    ],
  ])('%s', async (_, pick, message) => {
    await ready;
    expect(() => mergeReports(pick(shards) as SimulationReport[])).toThrow(message);
  });

  test('shards of two traces with as many records: the fingerprint of what they read differs', async () => {
    // Rotated logs of a fixed size: as many records, other calls and times.
    const other = generateTrace({ seed: 4, count: 300 });
    expect(other).toHaveLength(trace.length);
    await ready;
    const [, otherSecond] = await sharded(other, 'native', false, 2);
    expect(otherSecond?.run?.records).toBe(shards[0]?.run?.records);
    expect(shards[0]?.run?.traces).toMatch(/^[0-9a-f]{16}$/);
    expect(shards[1]?.run?.traces).toBe(shards[0]?.run?.traces);
    expect(() => mergeReports([shards[0], otherSecond] as SimulationReport[])).toThrow(
      /not of one run: the records read \(fingerprint\) [0-9a-f]{16} vs [0-9a-f]{16}/,
    );
    // One record's time moved by a millisecond is another trace too.
    const moved = trace.map((r, i) =>
      i === 150 && r.kind === 'event' ? { ...r, timeNs: r.timeNs + 1_000_000n } : r,
    );
    expect(moved.some((r, i) => r !== trace[i])).toBe(true);
    const [, movedSecond] = await sharded(moved, 'native', false, 2);
    expect(movedSecond?.run?.traces).not.toBe(shards[0]?.run?.traces);
  });

  test('unsharded reports of separate traces merge by summing', async () => {
    await ready;
    const a = await run(trace.slice(0, 150), 'native', false);
    const b = await run(trace.slice(150), 'native', false);
    const merged = mergeReports([a, b]);
    expect(merged.events).toBe(a.events + b.events);
    expect(merged.outcomes.deny).toBe(a.outcomes.deny + b.outcomes.deny);
    expect(merged.shard).toBeUndefined();
  });
});
