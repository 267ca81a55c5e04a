/**
 * `aegis simulate` over worker threads (AEGIS_SIMULATE_THREADS, replay-threads.ts) must print
 * byte for byte the report of one thread: a generated trace with bursts, late events, recorded
 * decisions, malformed lines and `\u` escapes, against the fixture policies, with and without a
 * baseline, and through the time filter.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../src/compiler/compile.js';
import { isObject } from '../../src/engine/json.js';
import { generateInput, Random } from '../conformance/generate.js';
import { aegis, REPO, tempDir } from './run-cli.js';

let dir: { path: string; remove: () => void };

beforeAll(async () => {
  dir = tempDir('simulate-threads');
  const compiled = await compile([join(REPO, 'fixtures', 'policies')], {
    cwd: REPO,
    compilerVersion: 'test',
  });
  if (!compiled.ok) throw new Error('fixtures/policies do not compile');
  const r = new Random(99);
  const lines: string[] = [];
  let ms = Date.parse('2026-11-20T22:00:00Z');
  let previous: Record<string, unknown> | undefined;
  for (let i = 0; i < 4000; i++) {
    if (r.chance(0.005)) {
      lines.push(r.pick(['{"broken', '[]', '{"agent":{"id":"a"}}', '{"context":{"time":"x"}}']));
      continue;
    }
    const generated = generateInput(r, compiled.ir);
    if (!isObject(generated)) continue;
    const input = generated as Record<string, unknown>;
    if (previous && r.chance(0.4)) {
      input.agent = previous.agent;
      input.tool = previous.tool;
      ms += r.int(150);
    } else ms += r.int(30_000);
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
  writeFileSync(join(dir.path, 'trace.jsonl'), `${lines.join('\n')}\n`);
}, 60_000);

afterAll(() => dir.remove());

const run = (threads: number, args: string[]) =>
  aegis(
    [
      'simulate',
      'trace.jsonl',
      '--policy',
      join(REPO, 'fixtures', 'policies'),
      '--format',
      'json',
      ...args,
    ],
    { cwd: dir.path, env: { AEGIS_SIMULATE_THREADS: String(threads) }, timeoutMs: 120_000 },
  );

describe('aegis simulate on threads', () => {
  it.each([
    ['no baseline', []],
    ['a baseline', ['--baseline', join(REPO, 'fixtures', 'policies', 'fintech.yaml')]],
    ['a time filter', ['--since', '2026-11-21T00:00:00Z', '--until', '2026-11-21T12:00:00Z']],
  ])('gives the one-thread report with %s', (_name, args) => {
    const one = run(1, args);
    expect(one.code, one.stderr).toBe(0);
    const report = JSON.parse(one.stdout) as { evaluated: number; late: number; malformed: number };
    expect(report.evaluated).toBeGreaterThan(1000);
    const two = run(2, args);
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout).toBe(one.stdout);
  });
});
