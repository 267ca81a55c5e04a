/**
 * `aegis simulate` over worker threads (AEGIS_SIMULATE_THREADS, replay-threads.ts) must print
 * byte for byte the report of one thread: generated traces with bursts, late events, recorded
 * decisions, costs, malformed lines and `\u` escapes (one over a few hours, one over two weeks
 * with keys that fall idle for days, so that the usage sweeps run), against the fixture
 * policies, with and without a baseline, through the time filter, from stdin, on three threads,
 * and the fixture traces of every format (events a worker gets as objects, not lines).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/compiler/compile.js';
import type { PolicySetIR } from '../../src/compiler/ir.js';
import { isObject } from '../../src/engine/json.js';
import { generateInput, Random } from '../conformance/generate.js';
import { aegis, expectCleanRefusal, REPO, tempDir } from './run-cli.js';

let dir: { path: string; remove: () => void };

beforeAll(async () => {
  dir = tempDir('simulate-threads');
  const compiled = await compile([join(REPO, 'fixtures', 'policies')], {
    cwd: REPO,
    compilerVersion: 'test',
  });
  if (!compiled.ok) throw new Error('fixtures/policies do not compile');
  const ir = compiled.ir;
  writeFileSync(join(dir.path, 'trace.jsonl'), trace(ir, 99, 4000, 30_000));
  // Up to a day and a half between calls of one key, over about two weeks.
  writeFileSync(join(dir.path, 'days.jsonl'), trace(ir, 7, 3000, 400_000, 130_000_000));
  // The same kind of calls as OPA decision-log events: a worker gets those as objects.
  const events = trace(ir, 5, 3000, 30_000)
    .split('\n')
    .flatMap((line, i) => {
      try {
        const { recorded, trace_id: _id, ...input } = JSON.parse(line) as Record<string, unknown>;
        const result = isObject(recorded) ? recorded : { decision: 'allow' };
        const timestamp = isObject(input.context) ? input.context.time : undefined;
        const event = { decision_id: `d${i}`, path: 'aegis/decision', input, result, timestamp };
        return [JSON.stringify(event)];
      } catch {
        return [];
      }
    });
  writeFileSync(join(dir.path, 'decisions.log'), `${events.join('\n')}\n`);
  // ehr-agent (a daily budget of 100) spends 60 and falls idle; two days on, the clock sweeps
  // its usage away, and a late call from the first day then starts from no spend. The triage
  // agent comes first, so that the second thread gets ehr-agent.
  const call = (agent: string, time: string, cost: number) =>
    JSON.stringify({
      agent: { id: agent, tenant: 'st-marys' },
      tool: { name: 'ehr-api', action: 'read_record' },
      params: { patient_id: 'P12345678' },
      egress: { host: 'fhir.st-marys.example.org' },
      context: { time, cost_usd: cost },
    });
  writeFileSync(
    join(dir.path, 'swept.jsonl'),
    `${[
      call('triage-agent', '2026-11-20T09:00:00Z', 0),
      call('ehr-agent', '2026-11-20T10:00:00Z', 60),
      call('triage-agent', '2026-11-22T12:00:00Z', 0),
      call('triage-agent', '2026-11-22T12:00:10Z', 0),
      call('ehr-agent', '2026-11-20T11:00:00Z', 60),
    ].join('\n')}\n`,
  );
}, 60_000);

/**
 * `events` lines from `seed`: calls a random gap of up to `gapMs` apart, 40% of them a burst of
 * the call before; with `idleMs`, an agent can also sit out for up to that long.
 */
function trace(ir: PolicySetIR, seed: number, events: number, gapMs: number, idleMs = 0): string {
  const r = new Random(seed);
  const lines: string[] = [];
  let ms = Date.parse('2026-11-20T22:00:00Z');
  let previous: Record<string, unknown> | undefined;
  for (let i = 0; i < events; i++) {
    if (r.chance(0.005)) {
      lines.push(r.pick(['{"broken', '[]', '{"agent":{"id":"a"}}', '{"context":{"time":"x"}}']));
      continue;
    }
    const generated = generateInput(r, ir);
    if (!isObject(generated)) continue;
    const input = generated as Record<string, unknown>;
    if (previous && r.chance(0.4)) {
      input.agent = previous.agent;
      input.tool = previous.tool;
      ms += r.int(150);
    } else ms += r.int(gapMs);
    if (idleMs > 0 && r.chance(0.02)) ms += r.int(idleMs);
    previous = input;
    const time = r.chance(0.03) ? ms - r.int(9000) : ms;
    const context = isObject(input.context) ? input.context : {};
    context.time = new Date(time).toISOString();
    if (r.chance(0.6)) context.cost_usd = r.pick([0.1, 0.35, 1, 2.5, 40]);
    input.context = context;
    if (r.chance(0.4))
      input.recorded = { decision: r.pick(['allow', 'deny', 'sanitize', 'approval_needed']) };
    if (r.chance(0.3)) input.trace_id = r.pick(['4BF92F3577B34DA6A3CE929D0E0E4736', 'abc']);
    let line = JSON.stringify(input);
    // A lone surrogate, as only an escape can spell it.
    if (r.chance(0.01)) line = line.replace('"params":{', '"params":{"odd":"\\ud800",');
    lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}

afterAll(() => dir.remove());

const FIXTURES = join(REPO, 'fixtures', 'policies');

function run(threads: number, args: string[], input?: string) {
  return aegis(['simulate', ...args, '--policy', FIXTURES, '--format', 'json'], {
    cwd: dir.path,
    env: { AEGIS_SIMULATE_THREADS: String(threads) },
    timeoutMs: 120_000,
    ...(input !== undefined ? { input } : {}),
  });
}

/** The report of `threads` threads, checked against one thread's; returns it parsed. */
function sameAsOneThread(threads: number, args: string[], input?: string) {
  const one = run(1, args, input);
  expect(one.code, one.stderr).toBe(0);
  const many = run(threads, args, input);
  expect(many.code, many.stderr).toBe(0);
  expect(many.stdout).toBe(one.stdout);
  return JSON.parse(one.stdout) as { evaluated: number; late: number; malformed: number };
}

describe('aegis simulate on threads', () => {
  it.each([
    ['no baseline', ['trace.jsonl']],
    ['a baseline', ['trace.jsonl', '--baseline', join(FIXTURES, 'fintech.yaml')]],
    [
      'a time filter',
      ['trace.jsonl', '--since', '2026-11-21T00:00:00Z', '--until', '2026-11-21T12:00:00Z'],
    ],
    ['a reorder window of 0', ['trace.jsonl', '--reorder-window', '0s']],
  ])('gives the one-thread report with %s', (_name, args) => {
    const report = sameAsOneThread(2, args);
    expect(report.evaluated).toBeGreaterThan(1000);
    expect(report.late).toBeGreaterThan(0);
    expect(report.malformed).toBeGreaterThan(0);
  });

  it('gives it over two weeks of usage, keys idle for days (the sweeps)', () => {
    const report = sameAsOneThread(2, ['days.jsonl']) as unknown as { timeline: object };
    const hours = Object.keys(report.timeline);
    const span = Date.parse(`${hours.at(-1)}:00Z`) - Date.parse(`${hours[0]}:00Z`);
    expect(span).toBeGreaterThan(7 * 24 * 3600 * 1000);
  });

  it('sweeps where one thread does: a late call of a key swept for idleness has no spend', () => {
    const report = sameAsOneThread(2, ['swept.jsonl']) as unknown as {
      late: number;
      by_agent: Record<string, { allow: number; events: number }>;
    };
    expect(report.late).toBe(1);
    expect(report.by_agent['st-marys/ehr-agent']).toMatchObject({ events: 2, allow: 2 });
  });

  it('gives it on three threads', () => {
    sameAsOneThread(3, ['trace.jsonl', 'days.jsonl']);
  });

  it('gives it from stdin', () => {
    const text = readFileSync(join(dir.path, 'trace.jsonl'), 'utf8');
    expect(sameAsOneThread(2, ['-'], text).evaluated).toBeGreaterThan(1000);
  });

  it('gives it for OPA decision logs', () => {
    expect(sameAsOneThread(2, ['decisions.log']).evaluated).toBeGreaterThan(1000);
  });

  it('gives it for the fixture traces of every format', () => {
    const report = sameAsOneThread(2, [join(REPO, 'fixtures', 'traces')]);
    expect(report.evaluated).toBeGreaterThan(20);
  });
});

describe('AEGIS_SIMULATE_THREADS that is not a number of threads', () => {
  it.each(['abc', '0', '1.5', '100', '-2'])(
    '%j is exit 2 naming the variable, before anything is read',
    (value) => {
      // A missing trace and policy: the variable is refused before either is looked for.
      const result = aegis(['simulate', 'no-such-trace.jsonl', '--policy', 'no-such-policy'], {
        cwd: dir.path,
        env: { AEGIS_SIMULATE_THREADS: value },
      });
      expectCleanRefusal(result);
      expect(result.stderr).toBe(
        `aegis: AEGIS_SIMULATE_THREADS must be a whole number from 1 to 99, not ${JSON.stringify(value)}\n`,
      );
    },
  );

  it('unset or empty is one thread, as before', () => {
    const one = run(1, ['swept.jsonl']);
    expect(one.code, one.stderr).toBe(0);
    const empty = aegis(['simulate', 'swept.jsonl', '--policy', FIXTURES, '--format', 'json'], {
      cwd: dir.path,
      env: { AEGIS_SIMULATE_THREADS: '' },
    });
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout).toBe(one.stdout);
  });
});
