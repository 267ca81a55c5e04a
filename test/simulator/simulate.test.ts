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
});
