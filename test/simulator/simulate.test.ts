/** simulate(): trace files through the readers, the replay and the engine, to the report. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadPolicySet, type PolicySet } from '../../src/engine/policy-set.js';
import { mergeReports } from '../../src/simulator/merge.js';
import { simulate } from '../../src/simulator/simulate.js';

const root = join(import.meta.dirname, '..', '..');

const call = (time: string, amount: number, extra: Record<string, unknown> = {}) => ({
  agent: { id: 'finance-agent', tenant: 'acme', claims: { team: 'payments' } },
  tool: { name: 'stripe-payments', action: 'create_payment' },
  params: {
    amount,
    currency: 'USD',
    recipient: { country: 'US', verified: true },
    idempotency_key: 'pay_0123456789',
  },
  egress: { host: 'api.stripe.com' },
  context: { time, region: 'us-east-1', cost_usd: 0.25 },
  ...extra,
});

describe('simulate', () => {
  let dir: string;
  let policy: PolicySet;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aegis-simulate-'));
    const lines = [
      // Friday 2026-11-20, 14:00 New York: business hours.
      call('2026-11-20T19:00:00Z', 50, { recorded: { decision: 'allow' }, trace_id: 'AB' }),
      call('2026-11-20T19:00:00.2Z', 50),
      call('2026-11-20T19:00:00.4Z', 50),
      call('2026-11-20T19:00:00.6Z', 50), // the fourth in a second: rate limit 3 -> approval
      call('2026-11-20T19:05:00Z', 7000, { recorded: { decision: 'allow' } }),
      { agent: { id: 'ghost' }, tool: { name: 'x' }, context: { time: '2026-11-20T19:06:00Z' } },
    ].map((x) => JSON.stringify(x));
    lines.splice(3, 0, '{ not json');
    await writeFile(join(dir, 'trace.jsonl'), `${lines.join('\n')}\n`);
    const loaded = await loadPolicySet(['fixtures/policies'], {
      cwd: root,
      compilerVersion: 'test',
    });
    if (!loaded.ok) throw new Error('fixtures do not compile');
    policy = loaded.set;
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('reads the traces and reports the replay', async () => {
    let progress = -1;
    const report = await simulate({
      traces: ['trace.jsonl'],
      cwd: dir,
      policy,
      engine: 'native',
      env: process.env,
      onProgress: (n) => {
        progress = n;
      },
    });
    expect(progress).toBe(7);
    expect(report).toMatchObject({
      events: 7,
      evaluated: 6,
      malformed: 1,
      outcomes: { allow: 3, sanitize: 0, approval_needed: 1, deny: 2 },
      would_block: 3,
      changes: { 'allow->deny': 1 },
      compared_with: 'recorded',
      policy: { revision: policy.revision, engine: 'native' },
    });
    expect(report.by_code).toMatchObject({ rate_limited: 1, no_policy: 1, amount_over_max: 1 });
    expect(report.first_malformed).toEqual([
      { file: 'trace.jsonl', line: 4, error: expect.any(String) },
    ]);
    expect(report.examples[0]).toMatchObject({ transition: 'allow->deny', line: 6 });
  });

  test('shards of the same traces merge into the same report', async () => {
    const options = {
      traces: ['trace.jsonl'],
      cwd: dir,
      policy,
      engine: 'native' as const,
      env: process.env,
    };
    const full = await simulate(options);
    const shards = await Promise.all(
      [0, 1, 2].map((index) => simulate({ ...options, shard: { index, count: 3 } })),
    );
    expect(mergeReports(shards)).toEqual(full);
  });

  test("a fleet's files, written side by side over the same second, replay as one timeline", async () => {
    // Two gateways: calls at .0 .4 .8 s (and 12 s on) and .2 .6 s. Read one file after the
    // other, the second file's calls came after the first's 12 s call had moved the reorder
    // window past them: late, replayed against a rate window already at .8 s. Merged, the call
    // at .6 is the fourth in a second, over the limit of 3, as in one file sorted by time.
    const at = (ms: number) => `2026-11-20T19:00:00.${String(ms).padStart(3, '0')}Z`;
    const gateway = (times: number[]) =>
      `${times.map((ms) => JSON.stringify(call(at(ms), 50))).join('\n')}\n`;
    const later = `${JSON.stringify(call('2026-11-20T19:00:12Z', 50))}\n`;
    await writeFile(join(dir, 'gw-a.jsonl'), gateway([0, 400, 800]) + later);
    await writeFile(join(dir, 'gw-b.jsonl'), gateway([200, 600]));
    await writeFile(join(dir, 'together.jsonl'), gateway([0, 200, 400, 600, 800]) + later);
    const run = (traces: string[]) =>
      simulate({ traces, cwd: dir, policy, engine: 'native', env: process.env });
    const fleet = await run(['gw-a.jsonl', 'gw-b.jsonl']);
    const one = await run(['together.jsonl']);
    expect(fleet.late).toBe(0);
    expect(fleet.outcomes).toEqual(one.outcomes);
    expect(fleet.by_code).toEqual(one.by_code);
    expect(fleet.outcomes).toMatchObject({ allow: 4, approval_needed: 2 });
    expect(fleet.examples.map((e) => [e.file, e.line])).toEqual([
      ['gw-b.jsonl', 2],
      ['gw-a.jsonl', 3],
    ]);
  });

  test('ties in time go in the order the files are given, also when a file is out of order', async () => {
    // a holds 10 s then 5 s (out of order, within the reorder window); b holds 5 s. The merge
    // hands b's 5.2 s call over before a's (a's head is at 10 s then), but a is given first: its
    // 5.2 s call is replayed first, as in a then b concatenated. Which goes first decides which
    // of the two is the fourth call in a second.
    const at = (s: number, ms = 0) =>
      `2026-11-20T19:00:${String(s).padStart(2, '0')}.${String(ms).padStart(3, '0')}Z`;
    const lines = (...calls: object[]) => `${calls.map((c) => JSON.stringify(c)).join('\n')}\n`;
    const burst = [call(at(5, 0), 50), call(at(5, 100), 50)];
    await writeFile(
      join(dir, 'tie-a.jsonl'),
      lines(call(at(10), 50), ...burst, call(at(5, 200), 7000)),
    );
    await writeFile(join(dir, 'tie-b.jsonl'), lines(call(at(5, 200), 50)));
    await writeFile(
      join(dir, 'tie-ab.jsonl'),
      lines(call(at(10), 50), ...burst, call(at(5, 200), 7000), call(at(5, 200), 50)),
    );
    const run = (traces: string[]) =>
      simulate({ traces, cwd: dir, policy, engine: 'native', env: process.env });
    const fleet = await run(['tie-a.jsonl', 'tie-b.jsonl']);
    const one = await run(['tie-ab.jsonl']);
    expect(fleet.late).toBe(0);
    expect(fleet.by_code).toEqual(one.by_code);
    expect(fleet.outcomes).toEqual(one.outcomes);
    // The given order matters: b then a replays b's 50 first.
    const reversed = await run(['tie-b.jsonl', 'tie-a.jsonl']);
    // a first: its 7,000 call (over the maximum: deny) is the third in the second, b's 50 the
    // fourth (over the rate limit of 3: approval). b first: b's 50 is the third, allowed.
    expect(one.outcomes).toMatchObject({ allow: 3, approval_needed: 1, deny: 1 });
    expect(reversed.outcomes).toMatchObject({ allow: 4, approval_needed: 0, deny: 1 });
  });
});
