/**
 * The replay against hand-checked expectations: every number below was worked out by hand from
 * POLICY-LANGUAGE.md section 8. Each trace runs twice, on the native engine and on a batched
 * engine that records the inputs it is given (so the recomputed usage can be asserted), and
 * both must produce the same report.
 */
import { describe, expect, test } from 'vitest';
import type { Engine } from '../../src/engine/engines.js';
import { evaluate } from '../../src/engine/evaluate.js';
import type { PolicySet } from '../../src/engine/policy-set.js';
import { parseRfc3339Ns } from '../../src/engine/rfc3339.js';
import { newBlocks } from '../../src/simulator/render/report-facts.js';
import { type ReplayOptions, replay } from '../../src/simulator/replay.js';
import type { SimulationReport, TraceEvent, TraceRecord } from '../../src/simulator/types.js';
import { irOf } from '../engine/helpers.js';

type Obj = Record<string, unknown>;

function setOf(yaml: string, revision = 'rev-1'): PolicySet {
  return { origin: 'sources', revision, ir: irOf(yaml), modules: [], data: {} };
}

function nativeEngine(set: PolicySet): Engine {
  return {
    name: 'native',
    evaluateMany: async (xs) => xs.map((x) => evaluate(set.ir, x)),
    close: async () => {},
  };
}

/** A batched (non-native) engine that keeps every input it decides. */
function recordingEngine(set: PolicySet): { engine: Engine; inputs: Obj[] } {
  const inputs: Obj[] = [];
  const engine: Engine = {
    name: 'wasm',
    evaluateMany: async (xs) => {
      inputs.push(...(xs as Obj[]));
      return xs.map((x) => evaluate(set.ir, x));
    },
    close: async () => {},
  };
  return { engine, inputs };
}

let nextLine = 0;
function ns(time: string): bigint {
  const t = parseRfc3339Ns(time);
  if (t === undefined) throw new Error(`bad time ${time}`);
  return t;
}

/** An event of `agent` (optionally `tenant/agent`) calling `tool` at `time`. */
function ev(
  time: string,
  who: string,
  tool: string,
  extra: { params?: Obj; cost?: number; action?: string; record?: Partial<TraceEvent> } = {},
): TraceEvent {
  const [tenant, agent] = who.includes('/') ? who.split('/') : [undefined, who];
  return {
    kind: 'event',
    origin: { file: 'trace.jsonl', line: ++nextLine },
    format: 'aegis-jsonl',
    timeNs: ns(time),
    input: {
      agent: { id: agent, ...(tenant !== undefined ? { tenant } : {}) },
      tool: { name: tool, ...(extra.action ? { action: extra.action } : {}) },
      ...(extra.params ? { params: extra.params } : {}),
      context: { time, ...(extra.cost !== undefined ? { cost_usd: extra.cost } : {}) },
    },
    ...extra.record,
  };
}

async function* stream(records: readonly TraceRecord[]): AsyncIterable<TraceRecord> {
  yield* records;
}

interface Run {
  report: SimulationReport;
  inputs: Obj[];
  baselineInputs: Obj[];
}

async function run(
  records: readonly TraceRecord[],
  policy: PolicySet,
  options: Omit<ReplayOptions, 'candidate' | 'baseline'> & { baseline?: PolicySet } = {},
): Promise<Run> {
  const { baseline, ...rest } = options;
  const native = await replay(stream(records), {
    ...rest,
    candidate: { set: policy, engine: nativeEngine(policy) },
    ...(baseline ? { baseline: { set: baseline, engine: nativeEngine(baseline) } } : {}),
  });
  const candidate = recordingEngine(policy);
  const base = baseline ? recordingEngine(baseline) : undefined;
  const batched = await replay(stream(records), {
    ...rest,
    candidate: { set: policy, engine: candidate.engine },
    ...(baseline && base ? { baseline: { set: baseline, engine: base.engine } } : {}),
  });
  expect({ ...batched, policy: { ...batched.policy, engine: 'native' } }).toEqual(native);
  return { report: native, inputs: candidate.inputs, baselineInputs: base?.inputs ?? [] };
}

const usage = (input: Obj) => (input.context as Obj).usage as Obj;
const outcomes = (inputs: Obj[], policy: PolicySet) =>
  inputs.map((i) => evaluate(policy.ir, i).outcome);

describe('rate windows', () => {
  const policy = setOf(`
agent: bot
allowed_tools:
  - name: search
    rate_limit: { rps: 2 }
  - name: fetch
rate_limit: { rps: 4, on_exceed: approval_needed }
`);

  test('(t - 1 s, t]: the call one second earlier is out, ties and the call itself are in', async () => {
    const { report, inputs } = await run(
      [
        ev('2026-11-20T10:00:00Z', 'bot', 'search'),
        ev('2026-11-20T10:00:00.5Z', 'bot', 'fetch'),
        ev('2026-11-20T10:00:01Z', 'bot', 'search'),
        ev('2026-11-20T10:00:01Z', 'bot', 'search'),
        ev('2026-11-20T10:00:01Z', 'bot', 'search'),
        ev('2026-11-20T10:00:01.499999999Z', 'bot', 'fetch'),
        ev('2026-11-20T10:00:01.5Z', 'bot', 'search'),
      ],
      policy,
    );
    expect(inputs.map((i) => usage(i).tool_rps)).toEqual([1, 1, 1, 2, 3, 2, 4]);
    expect(inputs.map((i) => usage(i).agent_rps)).toEqual([1, 2, 2, 3, 4, 5, 5]);
    expect(outcomes(inputs, policy)).toEqual([
      'allow',
      'allow',
      'allow',
      'allow',
      'deny',
      'approval_needed',
      'deny',
    ]);
    expect(report.outcomes).toEqual({ allow: 4, sanitize: 0, approval_needed: 1, deny: 2 });
    expect(report.would_block).toBe(3);
    expect(report.by_code).toEqual({ agent_rate_limited: 2, rate_limited: 2 });
    expect(report.by_tool).toEqual({
      fetch: { events: 2, allow: 1, sanitize: 0, approval_needed: 1, deny: 0, would_block: 1 },
      search: { events: 5, allow: 3, sanitize: 0, approval_needed: 0, deny: 2, would_block: 2 },
    });
  });

  test('ties keep file order, also through the reorder heap', async () => {
    const records = [
      ev('2026-11-20T10:00:01.5Z', 'bot', 'fetch', { params: { n: 'arrived-first' } }),
      ...Array.from({ length: 9 }, (_, n) =>
        ev('2026-11-20T10:00:01Z', 'bot', 'fetch', { params: { n } }),
      ),
    ];
    // The first record is later in time: the nine ties go first, in file order.
    const { inputs, report } = await run(records, policy);
    expect(inputs.map((i) => (i.params as Obj).n)).toEqual([
      0,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      'arrived-first',
    ]);
    expect(inputs.map((i) => usage(i).tool_rps)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(report.late).toBe(0);
  });

  test('tenant-scoped and global keys have separate windows', async () => {
    const global = setOf(`
agent: bot
allowed_tools:
  - name: search
    rate_limit: { rps: 1 }
`);
    const { report, inputs } = await run(
      [
        ev('2026-11-20T10:00:00Z', 'acme/bot', 'search'),
        ev('2026-11-20T10:00:00.1Z', 'beta/bot', 'search'),
        ev('2026-11-20T10:00:00.2Z', 'bot', 'search'),
        ev('2026-11-20T10:00:00.3Z', '/bot', 'search'),
        ev('2026-11-20T10:00:00.4Z', 'acme/bot', 'search'),
      ],
      global,
    );
    expect(inputs.map((i) => usage(i).tool_rps)).toEqual([1, 1, 1, 1, 2]);
    expect(report.by_agent).toEqual({
      '/bot': { events: 1, allow: 1, sanitize: 0, approval_needed: 0, deny: 0, would_block: 0 },
      'acme/bot': { events: 2, allow: 1, sanitize: 0, approval_needed: 0, deny: 1, would_block: 1 },
      'beta/bot': { events: 1, allow: 1, sanitize: 0, approval_needed: 0, deny: 0, would_block: 0 },
      bot: { events: 1, allow: 1, sanitize: 0, approval_needed: 0, deny: 0, would_block: 0 },
    });
    expect(report.by_rule).toEqual({ '_/bot/search/rate_limit': 1 });
  });
});

describe('daily spend', () => {
  const policy = setOf(`
agent: bot
allowed_tools:
  - name: pay
    params:
      amount: { lte: 100, optional: true }
    budget: { daily_usd: 0.3 }
  - name: note
    sanitize: { detectors: [email] }
budget: { daily_usd: 0.5 }
`);

  test('exact sums of let-through calls only, reset at UTC midnight', async () => {
    const { inputs, report } = await run(
      [
        ev('2026-11-20T23:59:00Z', 'bot', 'pay', { cost: 0.1 }),
        ev('2026-11-20T23:59:01Z', 'bot', 'pay', { cost: 0.1, params: { amount: 500 } }),
        ev('2026-11-20T23:59:02Z', 'bot', 'pay', { cost: 0.1 }),
        ev('2026-11-20T23:59:03Z', 'bot', 'note', { cost: 0.1, params: { t: 'mail a@b.example' } }),
        ev('2026-11-20T23:59:04Z', 'bot', 'pay', { cost: 0.1 }),
        ev('2026-11-20T23:59:05Z', 'bot', 'pay', { cost: 0.1 }),
        ev('2026-11-20T23:59:06Z', 'bot', 'note', { cost: 0.1, params: { t: 'hello' } }),
        ev('2026-11-20T23:59:59.999999999Z', 'bot', 'note', { cost: 0.1 }),
        ev('2026-11-21T00:00:00Z', 'bot', 'pay', { cost: 0.1 }),
      ],
      policy,
    );
    // 0.1 + 0.1 + 0.1 is 0.30000000000000004 in doubles; the replay's sum is exactly 0.3.
    expect(inputs.map((i) => usage(i).tool_spend_today_usd)).toEqual([
      0, 0.1, 0.1, 0, 0.2, 0.3, 0.1, 0.2, 0,
    ]);
    expect(inputs.map((i) => usage(i).agent_spend_today_usd)).toEqual([
      0, 0.1, 0.1, 0.2, 0.3, 0.4, 0.4, 0.5, 0,
    ]);
    expect(outcomes(inputs, policy)).toEqual([
      'allow',
      'deny', // amount over 100: blocked, spends nothing
      'allow',
      'sanitize', // let through: spends
      'allow', // 0.2 + 0.1 > 0.3 is false with exact sums
      'deny', // 0.3 + 0.1 > 0.3
      'allow', // agent: 0.4 + 0.1 > 0.5 is false
      'deny', // agent: 0.5 + 0.1 > 0.5
      'allow', // a new UTC day
    ]);
    expect(report.by_code).toEqual({
      agent_budget_exceeded: 1,
      budget_exceeded: 1,
      param_violation: 1,
      redacted: 1,
    });
    expect(report.timeline).toEqual({ '2026-11-20T23': 3 });
  });

  test('shadow mode lets every call through, so every call spends', async () => {
    const shadow = setOf(`
agent: bot
mode: shadow
allowed_tools:
  - name: pay
    budget: { daily_usd: 0.15 }
`);
    const { inputs, report } = await run(
      [
        ev('2026-11-20T10:00:00Z', 'bot', 'pay', { cost: 0.1 }),
        ev('2026-11-20T10:00:01Z', 'bot', 'pay', { cost: 0.1 }),
        ev('2026-11-20T10:00:02Z', 'bot', 'pay', { cost: 0.1 }),
      ],
      shadow,
    );
    expect(inputs.map((i) => usage(i).tool_spend_today_usd)).toEqual([0, 0.1, 0.2]);
    expect(report.would_block).toBe(2);
    expect(report.outcomes.deny).toBe(2);
  });

  test('the baseline spends by its own decisions; changes count transitions', async () => {
    const baseline = setOf(
      `
agent: bot
allowed_tools:
  - name: pay
budget: { daily_usd: 1 }
`,
      'rev-0',
    );
    const candidate = setOf(`
agent: bot
allowed_tools:
  - name: pay
    conditions: { max_amount: 100 }
budget: { daily_usd: 1 }
`);
    const records = [
      ev('2026-11-20T10:00:00Z', 'bot', 'pay', { cost: 0.6, params: { amount: 500 } }),
      ev('2026-11-20T10:00:01Z', 'bot', 'pay', { cost: 0.6, params: { amount: 10 } }),
      ev('2026-11-20T10:00:02Z', 'bot', 'pay', { cost: 0.3, params: { amount: 10 } }),
    ];
    const { inputs, baselineInputs, report } = await run(records, candidate, { baseline });
    expect(inputs.map((i) => usage(i).agent_spend_today_usd)).toEqual([0, 0, 0.6]);
    expect(baselineInputs.map((i) => usage(i).agent_spend_today_usd)).toEqual([0, 0.6, 0.6]);
    // candidate: deny (amount), allow, allow; baseline: allow, deny (0.6 + 0.6 > 1), allow.
    expect(report.compared_with).toBe('baseline');
    expect(report.changes).toEqual({ 'allow->deny': 1, 'deny->allow': 1 });
    expect(report.baseline).toEqual({ revision: 'rev-0' });
    expect(report.policy).toEqual({ revision: 'rev-1', engine: 'native' });
    expect(report.examples.map((e) => [e.transition, e.line, e.baseline, e.outcome])).toEqual([
      ['allow->deny', records[0]?.origin.line, 'allow', 'deny'],
      ['deny->allow', records[1]?.origin.line, 'deny', 'allow'],
    ]);
  });
});

describe('order and lateness', () => {
  const policy = setOf(`
agent: bot
allowed_tools:
  - name: search
`);
  const at = (s: string) => `2026-11-20T10:00:${s}Z`;

  test('the window reorders; an event older than one already replayed is late and replayed at once', async () => {
    const records = [
      ev(at('03'), 'bot', 'search', { params: { n: 'a' } }),
      ev(at('01'), 'bot', 'search', { params: { n: 'b' } }), // within 5 s: reordered
      ev(at('10'), 'bot', 'search', { params: { n: 'c' } }),
      ev(at('20'), 'bot', 'search', { params: { n: 'd' } }), // releases 01, 03, 10
      ev(at('09.5'), 'bot', 'search', { params: { n: 'late' } }), // 09.5 < 10: late
      ev(at('12'), 'bot', 'search', { params: { n: 'e' } }), // not late (>= 10), released at once
    ];
    const { inputs, report } = await run(records, policy);
    expect(inputs.map((i) => (i.params as Obj).n)).toEqual(['b', 'a', 'c', 'late', 'e', 'd']);
    // The late event counts itself, not the call at 10 s replayed before it (it is later).
    expect(inputs.map((i) => usage(i).tool_rps)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(report.late).toBe(1);
    expect(report.evaluated).toBe(6);
  });

  test('a zero window replays in arrival order and counts everything out of order as late', async () => {
    const records = [
      ev(at('03'), 'bot', 'search', { params: { n: 'a' } }),
      ev(at('04'), 'bot', 'search', { params: { n: 'b' } }),
      ev(at('01'), 'bot', 'search', { params: { n: 'c' } }),
      ev(at('04'), 'bot', 'search', { params: { n: 'd' } }),
    ];
    const { inputs, report } = await run(records, policy, { reorderWindowMs: 0 });
    expect(inputs.map((i) => (i.params as Obj).n)).toEqual(['a', 'c', 'b', 'd']);
    expect(report.late).toBe(1);
  });

  test('the window holds at most reorderMaxEvents: past it the oldest leaves early', async () => {
    // Within an hour's window, arriving newest first: with room for 3, the fourth event in
    // pushes out the oldest held (20 s), and 10 s, older than that, is late.
    const records = ['50', '40', '30', '20', '10'].map((s) =>
      ev(at(s), 'bot', 'search', { params: { n: s } }),
    );
    const capped = await run(records, policy, { reorderWindowMs: 3_600_000, reorderMaxEvents: 3 });
    expect(capped.inputs.map((i) => (i.params as Obj).n)).toEqual(['20', '10', '30', '40', '50']);
    expect(capped.report.late).toBe(1);
    const roomy = await run(records, policy, { reorderWindowMs: 3_600_000 });
    expect(roomy.inputs.map((i) => (i.params as Obj).n)).toEqual(['10', '20', '30', '40', '50']);
    expect(roomy.report.late).toBe(0);
  });

  test('--since is inclusive, --until exclusive; filtered events are counted, not evaluated', async () => {
    const records = [
      ev(at('00'), 'bot', 'search'),
      ev(at('01'), 'bot', 'search'),
      ev(at('02'), 'bot', 'search'),
      ev(at('03'), 'bot', 'search'),
    ];
    const { report } = await run(records, policy, { since: ns(at('01')), until: ns(at('03')) });
    expect(report).toMatchObject({ events: 4, evaluated: 2, filtered: 2 });
    const { report: unfiltered } = await run(records, policy);
    expect(unfiltered.filtered).toBeUndefined();
  });

  test('a call without context.time is decided at its event time', async () => {
    const weekend = setOf(`
agent: bot
allowed_tools:
  - name: search
    rules:
      - id: no-weekends
        when: { time: { days: [sat, sun] } }
        effect: deny
`);
    const saturday = ev('2026-11-21T10:00:00.25Z', 'bot', 'search');
    saturday.input.context = { cost_usd: 1 };
    const { inputs, report } = await run([saturday], weekend);
    expect(inputs[0]?.context).toMatchObject({ time: '2026-11-21T10:00:00.25Z', cost_usd: 1 });
    expect(report.by_rule).toEqual({ '_/bot/search/no-weekends': 1 });
  });

  test('decision-log events with erased input are evaluated and counted', async () => {
    const erased = ev(at('00'), 'bot', 'search', { record: { erased: ['/input/params/q'] } });
    const clean = ev(at('01'), 'bot', 'search', { record: { erased: [] } });
    const { report } = await run([erased, clean], policy);
    expect(report).toMatchObject({ evaluated: 2, erased: 1 });
  });

  test('usage in the trace is ignored, and malformed ids are invalid_input without a key', async () => {
    const traced = ev(at('00'), 'bot', 'search');
    traced.input.context = { time: at('00'), usage: { tool_rps: 99, agent_spend_today_usd: 'x' } };
    const badId = ev(at('01'), 'bot', 'search');
    badId.input.agent = { id: 7 };
    const badTenant = ev(at('02'), 'bot', 'search');
    badTenant.input.agent = { id: 'bot', tenant: 3 };
    const { inputs, report } = await run([traced, badId, badTenant], policy);
    expect(usage(inputs[0] as Obj)).toEqual({
      tool_rps: 1,
      agent_rps: 1,
      tool_spend_today_usd: 0,
      agent_spend_today_usd: 0,
    });
    expect(report.by_code).toEqual({ invalid_input: 2 });
    expect(Object.keys(report.by_agent)).toEqual(['<invalid>', '<invalid>/bot', 'bot']);
  });

  test('an agent id with a slash has its own row, apart from the same words as tenant/agent', async () => {
    const slashed = ev(at('00'), 'bot', 'search');
    slashed.input.agent = { id: 'acme/bot' };
    const tenanted = ev(at('01'), 'bot', 'search');
    tenanted.input.agent = { id: 'bot', tenant: 'acme' };
    const percent = ev(at('02'), 'bot', 'search');
    percent.input.agent = { id: '50%/x', tenant: 'a/b' };
    const { report } = await run([slashed, tenanted, percent], policy);
    expect(Object.keys(report.by_agent).sort()).toEqual([
      'a%2Fb/50%25%2Fx',
      'acme%2Fbot',
      'acme/bot',
    ]);
    for (const counts of Object.values(report.by_agent)) expect(counts.events).toBe(1);
  });
});

describe('numbers past the double range', () => {
  const policy = setOf(`
agent: bot
allowed_tools:
  - name: pay
    rules:
      - { id: big, when: { param: amount, gt: 1000 }, effect: deny }
`);

  // JSON.parse reads `1e400` as Infinity; the gateway's OPA kept the number (and denied the call
  // by rule big). aegis cannot compare it so: the call is invalid_input, never decided as null.
  test('make the call invalid_input, in the batched engines too', async () => {
    const records = [
      ev('2026-11-20T10:00:00Z', 'bot', 'pay', { params: { amount: Number.POSITIVE_INFINITY } }),
      ev('2026-11-20T10:00:01Z', 'bot', 'pay', { params: { nested: [1, -Infinity] } }),
      ev('2026-11-20T10:00:02Z', 'bot', 'pay', { params: { amount: 5 } }),
    ];
    const { report } = await run(records, policy);
    expect(report.outcomes).toEqual({ allow: 1, sanitize: 0, approval_needed: 0, deny: 2 });
    expect(report.by_code).toEqual({ invalid_input: 2 });
  });
});

describe('comparisons and examples', () => {
  const policy = setOf(`
agent: bot
allowed_tools:
  - name: search
  - name: pay
    conditions: { approval_needed_over: 10 }
`);

  test('against the recorded outcome, or the recorded decision when no outcome is recorded', async () => {
    const records = [
      ev('2026-11-20T10:00:00Z', 'bot', 'search', { record: { recorded: { decision: 'allow' } } }),
      ev('2026-11-20T10:00:01Z', 'bot', 'shell', { record: { recorded: { decision: 'allow' } } }),
      ev('2026-11-20T10:00:02Z', 'bot', 'shell', {
        record: { recorded: { decision: 'allow', outcome: 'deny' } },
      }),
      ev('2026-11-20T10:00:03Z', 'bot', 'pay', {
        params: { amount: 50 },
        record: { recorded: { decision: 'deny' }, traceId: 'ab12', spanId: 'cd34' },
      }),
      ev('2026-11-20T10:00:04Z', 'bot', 'pay', { params: { amount: 50 } }), // nothing recorded
      ev('2026-11-20T10:00:05Z', 'bot', 'search', { record: { recorded: { decision: 'BLOCK' } } }),
      ev('2026-11-20T10:00:06Z', 'bot', 'shell', { record: { recorded: { outcome: 'ALLOW' } } }),
    ];
    const { report } = await run(records, policy);
    expect(report.compared_with).toBe('recorded');
    // A recorded value that names no outcome is compared as `unrecognized`, never dropped:
    // the candidate's deny of that call is a new block, so `--fail-on new-block` trips.
    expect(report.changes).toEqual({
      'allow->deny': 1,
      'deny->approval_needed': 1,
      'unrecognized->allow': 1,
      'unrecognized->deny': 1,
    });
    expect(newBlocks(report)).toBe(2);
    expect(report.examples.filter((e) => e.baseline === 'unrecognized')).toHaveLength(2);
    expect(report.examples.filter((e) => e.baseline !== 'unrecognized')).toEqual([
      {
        transition: 'allow->deny',
        time: '2026-11-20T10:00:01Z',
        file: 'trace.jsonl',
        line: records[1]?.origin.line,
        agent: 'bot',
        tool: 'shell',
        outcome: 'deny',
        baseline: 'allow',
        reasons: [
          {
            code: 'tool_not_allowed',
            effect: 'deny',
            rule: '_/bot/_/tools',
            message: expect.any(String),
          },
        ],
      },
      {
        transition: 'deny->approval_needed',
        trace_id: 'ab12',
        span_id: 'cd34',
        time: '2026-11-20T10:00:03Z',
        file: 'trace.jsonl',
        line: records[3]?.origin.line,
        agent: 'bot',
        tool: 'pay',
        outcome: 'approval_needed',
        baseline: 'deny',
        reasons: [expect.objectContaining({ code: 'amount_needs_approval' })],
      },
    ]);
  });

  test('without a comparison: the earliest N would-blocks per outcome, by time', async () => {
    const records = [
      ev('2026-11-20T11:00:03Z', 'bot', 'shell'),
      ev('2026-11-20T11:00:01Z', 'bot', 'shell'),
      ev('2026-11-20T11:30:00Z', 'bot', 'pay', { params: { amount: 50 } }),
      ev('2026-11-20T11:00:02Z', 'bot', 'shell'), // late: 11:30 pushed 11:00:03 out
      ev('2026-11-20T12:00:00Z', 'bot', 'search'),
      // Arrives an hour late: still the earliest deny, so it is an example.
      ev('2026-11-20T10:59:00Z', 'bot', 'shell', { action: 'rm' }),
    ];
    const { report } = await run(records, policy, { examplesPerTransition: 2 });
    expect(report.compared_with).toBe('none');
    expect(report.changes).toEqual({});
    expect(report.late).toBe(2);
    expect(report.examples.map((e) => [e.transition, e.time, e.action])).toEqual([
      ['approval_needed', '2026-11-20T11:30:00Z', undefined],
      ['deny', '2026-11-20T10:59:00Z', 'rm'],
      ['deny', '2026-11-20T11:00:01Z', undefined],
    ]);
    expect(report.examples_per_transition).toBe(2);
    expect(report.timeline).toEqual({ '2026-11-20T10': 1, '2026-11-20T11': 4 });
    expect(report.would_block).toBe(5);
  });

  test('skipped and malformed records are counted; the first 20 malformed are listed by (file, line)', async () => {
    const records: TraceRecord[] = [];
    for (let line = 1; line <= 15; line++)
      records.push({ kind: 'malformed', origin: { file: 'b.jsonl', line }, error: `bad ${line}` });
    for (let line = 1; line <= 10; line++)
      records.push({ kind: 'malformed', origin: { file: 'a.jsonl', line }, error: `bad ${line}` });
    records.push({
      kind: 'skip',
      origin: { file: 'a.jsonl', line: 11 },
      reason: 'not a tool call',
    });
    records.push(ev('2026-11-20T10:00:00Z', 'bot', 'search'));
    const { report } = await run(records, policy);
    expect(report).toMatchObject({ events: 27, evaluated: 1, skipped: 1, malformed: 25 });
    expect(report.first_malformed).toHaveLength(20);
    expect(report.first_malformed.slice(9, 11)).toEqual([
      { file: 'a.jsonl', line: 10, error: 'bad 10' },
      { file: 'b.jsonl', line: 1, error: 'bad 1' },
    ]);
    expect(report.first_malformed[19]).toEqual({ file: 'b.jsonl', line: 10, error: 'bad 10' });
  });

  test('bad options are usage errors', async () => {
    const engine = nativeEngine(policy);
    await expect(
      replay(stream([]), { candidate: { set: policy, engine }, reorderWindowMs: -1 }),
    ).rejects.toThrow(/reorder window/);
    await expect(
      replay(stream([]), { candidate: { set: policy, engine }, shard: { index: 4, count: 4 } }),
    ).rejects.toThrow(/index must be 0 to 3/);
  });
});
