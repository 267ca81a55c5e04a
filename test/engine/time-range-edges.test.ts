/**
 * Time windows at the ends of the instants a `context.time` may name (docs/semantics.md, step
 * 1): the three engines decide alike. In the first minute of the range, before
 * 1677-09-21T00:13:00Z, the minute the Rego reads the local time of (`call_minute_ns`) is
 * below the smallest int64, OPA's time.clock and time.weekday fail, and every window test is
 * false, so its `not` is true.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/bundle/canonical-json.js';
import type { Decision } from '../../src/engine/decision.js';
import { createEngine, ENGINE_NAMES, type Engine } from '../../src/engine/engines.js';
import { loadPolicySet } from '../../src/engine/policy-set.js';

// 1677-09-21 was a Tuesday (00:12 UTC; Monday evening in New York).
const POLICY = `agent: a
allowed_tools:
  - name: t
    rules:
      - id: outside-hours
        when: { not: { time: { hours: "00:00-01:00", tz: UTC } } }
        effect: deny
      - id: in-hours
        when: { time: { hours: "00:00-01:00" } }
        effect: approval_needed
      - id: not-tuesday
        when: { not: { time: { days: [tue], tz: Asia/Tokyo } } }
        effect: deny
      - id: monday-evening
        when: { time: { days: [mon], hours: "19:00-20:00", tz: America/New_York } }
        effect: sanitize
        redact: [x]
`;

const TIMES = [
  '1677-09-21T00:12:43.145224192Z',
  '1677-09-21T00:12:50Z',
  '1677-09-21T00:12:59.999999999Z',
  '1677-09-21T09:12:59.999999999+09:00',
  '1677-09-20T19:08:59.999-05:04',
  '1677-09-21T00:13:00Z',
  '1677-09-21T00:13:00.000000001Z',
  '1677-09-20T19:09:00-05:04',
  '2262-04-11T23:47:00Z',
  '2262-04-11T23:47:16.854775807Z',
];

let dir: string;
const engines: Engine[] = [];
/** Per engine, its decision for each of TIMES. */
const answers: Record<string, Decision[]> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aegis-time-range-'));
  await writeFile(join(dir, 'p.yaml'), POLICY);
  const loaded = await loadPolicySet(['p.yaml'], { cwd: dir, wasm: true, compilerVersion: 'test' });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.validation.diagnostics));
  const inputs = TIMES.map((time) => ({
    agent: { id: 'a' },
    tool: { name: 't' },
    params: { x: 1 },
    context: { time },
  }));
  for (const name of ENGINE_NAMES) {
    const engine = await createEngine(name, loaded.set, { cwd: dir, env: process.env });
    engines.push(engine);
    answers[name] = await engine.evaluateMany(inputs);
  }
});

afterAll(async () => {
  for (const engine of engines) await engine.close();
  await rm(dir, { recursive: true, force: true });
});

const rules = (d: Decision | undefined) => d?.reasons.map((r) => r.rule.split('/').at(-1));

describe('time windows at the ends of the instant range', () => {
  it.each(TIMES.map((time, i) => [time, i] as const))(
    'native, opa and wasm decide %s alike',
    (_time, i) => {
      const [first, ...others] = ENGINE_NAMES.map((name) => canonicalJson(answers[name]?.[i]));
      for (const other of others) expect(other).toBe(first);
    },
  );

  it('in the first minute no window holds, so each `not` of one does', () => {
    for (let i = 0; i < 5; i++)
      expect(rules(answers.native?.[i]), TIMES[i]).toEqual(['not-tuesday', 'outside-hours']);
  });

  it('from 00:13 on, the local times are read', () => {
    expect(rules(answers.native?.[5])).toEqual(['in-hours', 'monday-evening', 'sanitize']);
    expect(rules(answers.native?.[7])).toEqual(['in-hours', 'monday-evening', 'sanitize']);
    expect(rules(answers.native?.[9])).toEqual(['not-tuesday', 'outside-hours']);
  });
});
