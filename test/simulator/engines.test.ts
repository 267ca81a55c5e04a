/**
 * The replay gives one report whatever the engine: native (sequential), opa (a real OPA
 * process per batch) and wasm (policy.wasm) on a generated trace against the fixture
 * policies; and the batched path stays exact when its native prediction is wrong.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine, type EngineName } from '../../src/engine/engines.js';
import { evaluate } from '../../src/engine/evaluate.js';
import { isObject } from '../../src/engine/json.js';
import { loadPolicySet, type PolicySet } from '../../src/engine/policy-set.js';
import { replay } from '../../src/simulator/replay.js';
import type { SimulationReport, TraceRecord } from '../../src/simulator/types.js';
import { generateInput, Random } from '../conformance/generate.js';
import { irOf } from '../engine/helpers.js';

const root = join(import.meta.dirname, '..', '..');
type Obj = Record<string, unknown>;

async function load(paths: string[]): Promise<PolicySet> {
  const loaded = await loadPolicySet(paths, { cwd: root, wasm: true, compilerVersion: 'test' });
  if (!loaded.ok) throw new Error(`fixtures do not compile: ${JSON.stringify(loaded.validation)}`);
  return loaded.set;
}

async function* stream(records: readonly TraceRecord[]): AsyncIterable<TraceRecord> {
  yield* records;
}

/** Generated inputs at the policies' edges, timed in bursts across UTC midnight, with costs. */
function traceFor(set: PolicySet, count: number, seed: number): TraceRecord[] {
  const r = new Random(seed);
  const records: TraceRecord[] = [];
  let ms = Date.parse('2026-11-20T23:57:00Z');
  let previous: Obj | undefined;
  for (let line = 1; line <= count; line++) {
    const origin = { file: 'gen.jsonl', line };
    const generated = generateInput(r, set.ir);
    if (!isObject(generated)) {
      records.push({ kind: 'malformed', origin, error: 'not an object' });
      continue;
    }
    const input = generated as Obj;
    // Bursts of one agent calling one tool, so that rate limits and budgets trip.
    if (previous && r.chance(0.5)) {
      input.agent = previous.agent;
      input.tool = previous.tool;
      ms += r.int(120);
    } else {
      ms += r.int(400);
    }
    previous = input;
    const time = r.chance(0.03) ? ms - r.int(9000) : ms;
    if (isObject(input.context)) {
      input.context.time = new Date(time).toISOString();
      if (r.chance(0.7)) input.context.cost_usd = r.pick([0.1, 0.35, 1, 2.5, 5, 40]);
    }
    records.push({
      kind: 'event',
      origin,
      format: 'aegis-jsonl',
      timeNs: BigInt(time) * 1_000_000n,
      input,
      ...(r.chance(0.5)
        ? { recorded: { decision: r.pick(['allow', 'deny', 'sanitize', 'approval_needed']) } }
        : {}),
    });
  }
  return records;
}

/** An engine that counts its calls (to see how many rounds the batched path needed). */
function counted(engine: Engine): Engine & { calls: number } {
  const wrapper = {
    name: engine.name,
    calls: 0,
    evaluateMany: (inputs: readonly unknown[]) => {
      wrapper.calls++;
      return engine.evaluateMany(inputs);
    },
    close: () => engine.close(),
  };
  return wrapper;
}

const sameButEngine = (report: SimulationReport) => ({
  ...report,
  policy: { ...report.policy, engine: 'any' },
});

describe('native, opa and wasm give identical reports', () => {
  let candidate: PolicySet;
  let baseline: PolicySet;
  const engines: Engine[] = [];

  beforeAll(async () => {
    candidate = await load(['fixtures/policies']);
    baseline = await load(['fixtures/policies/fintech.yaml', 'fixtures/policies/saas.yaml']);
  });
  afterAll(async () => {
    await Promise.all(engines.map((e) => e.close()));
  });

  async function runWith(name: EngineName, records: readonly TraceRecord[]) {
    const context = { cwd: root, env: process.env };
    const c = counted(await createEngine(name, candidate, context));
    const b = counted(await createEngine(name, baseline, context));
    engines.push(c, b);
    const report = await replay(stream(records), {
      candidate: { set: candidate, engine: c },
      baseline: { set: baseline, engine: b },
    });
    return { report, calls: c.calls + b.calls };
  }

  test('on a generated trace against the fixture policies', async () => {
    // A seed whose trace reaches three kinds of change and every code below (the generator's
    // draws decide which; 20261121 did until the generator drew negative counters too).
    const records = traceFor(candidate, 2500, 20261126);
    const native = await runWith('native', records);
    const opa = await runWith('opa', records);
    const wasm = await runWith('wasm', records);
    expect(sameButEngine(opa.report)).toEqual(sameButEngine(native.report));
    expect(sameButEngine(wasm.report)).toEqual(sameButEngine(native.report));
    expect(opa.report.policy.engine).toBe('opa');
    // One OPA process per policy: the prediction was right, no event was decided twice.
    expect(opa.calls).toBe(2);
    expect(wasm.calls).toBe(2 * Math.ceil(native.report.evaluated / 512));
    // The trace reaches what the replay computes.
    const codes = native.report.by_code;
    for (const code of ['rate_limited', 'budget_exceeded', 'agent_budget_exceeded', 'redacted'])
      expect(codes).toHaveProperty(code);
    expect(native.report.late).toBeGreaterThan(0);
    expect(Object.keys(native.report.changes).length).toBeGreaterThanOrEqual(3);
  });

  test('a number past the double range makes the call invalid_input in every engine', async () => {
    const call = (line: number, amount: number): TraceRecord => ({
      kind: 'event',
      origin: { file: 'big.jsonl', line },
      format: 'aegis-jsonl',
      timeNs: BigInt(Date.parse('2026-11-20T10:00:00Z') + line) * 1_000_000n,
      input: {
        agent: { id: 'finance-agent', tenant: 'acme' },
        tool: { name: 'stripe-payments', action: 'create_payment' },
        params: { amount, currency: 'USD' },
        context: { time: new Date(Date.parse('2026-11-20T10:00:00Z') + line).toISOString() },
      },
    });
    const records = [call(1, Number.POSITIVE_INFINITY), call(2, 10), call(3, -Infinity)];
    const native = await runWith('native', records);
    expect(native.report.by_code.invalid_input).toBe(2);
    expect(sameButEngine((await runWith('opa', records)).report)).toEqual(
      sameButEngine(native.report),
    );
    expect(sameButEngine((await runWith('wasm', records)).report)).toEqual(
      sameButEngine(native.report),
    );
  });
});

describe('the batched path when the prediction is wrong', () => {
  // The predictor reads set.ir (everything allowed); the engine decides with another policy.
  const predicted = irOf(`
agent: bot
allowed_tools:
  - name: pay
budget: { daily_usd: 1000 }
`);
  const actual = irOf(`
agent: bot
allowed_tools:
  - name: pay
    conditions: { max_amount: 100 }
budget: { daily_usd: 1.5 }
`);
  const setWith = (ir: typeof actual): PolicySet => ({
    origin: 'sources',
    revision: 'r',
    ir,
    modules: [],
    data: {},
  });

  test('re-decides the keys it got wrong and ends with the sequential result', async () => {
    const r = new Random(5);
    const records: TraceRecord[] = Array.from({ length: 600 }, (_, i) => {
      const ms = Date.parse('2026-11-20T23:00:00Z') + i * 700;
      return {
        kind: 'event',
        origin: { file: 'pay.jsonl', line: i + 1 },
        format: 'aegis-jsonl',
        timeNs: BigInt(ms) * 1_000_000n,
        input: {
          agent: { id: 'bot', tenant: r.pick(['a', 'b', 'c']) },
          tool: { name: 'pay' },
          params: { amount: r.pick([50, 500]) },
          context: { time: new Date(ms).toISOString(), cost_usd: r.pick([0.2, 0.3, 0.7]) },
        },
      };
    });
    const sequential = await replay(stream(records), {
      candidate: {
        set: setWith(actual),
        engine: {
          name: 'native',
          evaluateMany: async () => [],
          close: async () => {},
        },
      },
    });
    const engine = counted({
      name: 'opa',
      evaluateMany: async (xs) => xs.map((x) => evaluate(actual, x)),
      close: async () => {},
    });
    const batched = await replay(stream(records), {
      candidate: { set: setWith(predicted), engine },
      batchSize: 100,
    });
    expect(sameButEngine(batched)).toEqual(sameButEngine(sequential));
    // Wrong predictions cost extra rounds, but every batch still finished.
    expect(engine.calls).toBeGreaterThan(6);
    expect(sequential.by_code).toHaveProperty('agent_budget_exceeded');
    expect(sequential.by_code).toHaveProperty('amount_over_max');
  });
});
