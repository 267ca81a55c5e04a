/**
 * The example traces in fixtures/traces, one per format, read record by record. The expected
 * records are written out in full (inputs, exact times, ids) so that a change in any mapping
 * shows up here; the replay's tests use the same files with fixtures/policies/fintech.yaml.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readTraces } from '../../../src/simulator/readers/read-traces.js';
import type { TraceRecord } from '../../../src/simulator/types.js';

const DIR = 'fixtures/traces';
const cwd = process.cwd();

async function read(...paths: string[]): Promise<TraceRecord[]> {
  const records: TraceRecord[] = [];
  for await (const record of readTraces(paths, { cwd })) records.push(record);
  return records;
}

const finance = { id: 'finance-agent', tenant: 'acme', claims: { team: 'payments' } };
const recipientUS = { country: 'US', verified: true };

describe('aegis JSON Lines', () => {
  const file = `${DIR}/aegis-events.jsonl`;
  const expected = (name: string): TraceRecord[] => [
    {
      kind: 'event',
      origin: { file: name, line: 1 },
      format: 'aegis-jsonl',
      timeNs: 1_795_014_245_000_000_000n,
      input: {
        agent: finance,
        tool: { name: 'stripe-payments', action: 'create_payment' },
        params: {
          amount: 50,
          currency: 'USD',
          recipient: recipientUS,
          idempotency_key: 'pay_20261118_0001',
        },
        egress: { host: 'api.stripe.com' },
        context: { time: '2026-11-18T15:04:05Z', region: 'us-east-1', cost_usd: 0.35 },
      },
      recorded: { decision: 'allow', outcome: 'allow' },
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
    },
    {
      kind: 'event',
      origin: { file: name, line: 2 },
      format: 'aegis-jsonl',
      timeNs: 1_795_014_246_123_456_789n,
      input: {
        agent: finance,
        tool: { name: 'stripe-payments', action: 'create_payment' },
        params: {
          amount: 2500,
          currency: 'USD',
          recipient: recipientUS,
          idempotency_key: 'pay_20261118_0002',
        },
        egress: { host: 'api.stripe.com' },
        context: { time: '2026-11-18T15:04:06.123456789Z', region: 'us-east-1', cost_usd: 0.35 },
      },
      recorded: { decision: 'approval_needed', outcome: 'approval_needed' },
      // Written in upper case in the file.
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '53995c3f42cd8ad8',
    },
    // Line 3 is blank: not a record.
    {
      kind: 'malformed',
      origin: { file: name, line: 4 },
      // V8 words it differently across Node versions; the position is what matters.
      error: expect.stringMatching(/^invalid JSON: Unterminated string in JSON at position 130/),
    },
    {
      kind: 'malformed',
      origin: { file: name, line: 5 },
      error: 'context.time is missing: each call in a trace needs the time it was made',
    },
    {
      kind: 'event',
      origin: { file: name, line: 6 },
      format: 'aegis-jsonl',
      // 10:05 at -05:00.
      timeNs: 1_795_014_300_000_000_000n,
      input: {
        agent: finance,
        tool: { name: 'slack-notify', action: 'post_message' },
        params: { channel: '#finance-payouts', text: 'Paid 50 USD to vendor 4417' },
        egress: { host: 'hooks.slack.com' },
        context: { time: '2026-11-18T10:05:00-05:00', region: 'us-east-1' },
      },
      recorded: { decision: 'sanitize' },
    },
    {
      kind: 'malformed',
      origin: { file: name, line: 7 },
      error: 'context.time "2026-11-18 15:06:00" is not an RFC 3339 time',
    },
    {
      kind: 'event',
      origin: { file: name, line: 8 },
      format: 'aegis-jsonl',
      timeNs: 1_795_014_420_000_000_000n,
      input: {
        agent: { ...finance, claims: { team: 'ops' } },
        tool: { name: 'stripe-payments', action: 'create_payment' },
        params: {
          amount: 300,
          currency: 'EUR',
          recipient: { country: 'DE', verified: true },
          idempotency_key: 'pay_20261118_0003',
        },
        egress: { host: 'api.stripe.com' },
        context: { time: '2026-11-18T15:07:00Z', region: 'us-west-2', cost_usd: 0.35 },
      },
      recorded: { decision: 'deny', outcome: 'deny' },
    },
    {
      kind: 'event',
      origin: { file: name, line: 9 },
      format: 'aegis-jsonl',
      timeNs: 1_795_014_480_500_000_000n,
      input: {
        agent: finance,
        tool: { name: 'stripe-payments', action: 'list_payments' },
        params: { limit: 25 },
        egress: { host: 'api.stripe.com' },
        context: { time: '2026-11-18T15:08:00.5Z', region: 'us-east-1', cost_usd: 0.002 },
      },
    },
  ];

  it('reads every line: events with the trace fields taken out, malformed lines in place', async () => {
    const records = await read(file);
    expect(records).toStrictEqual(expected(file));
    // toEqual passes over members that are undefined: the trace fields must be gone outright.
    for (const record of records) {
      if (record.kind !== 'event') continue;
      expect(Object.keys(record.input)).not.toContain('recorded');
      expect(Object.keys(record.input)).not.toContain('trace_id');
      expect(Object.keys(record.input)).not.toContain('span_id');
    }
  });

  it('reads the gzip copy the same, whatever it is named', async () => {
    const gz = `${DIR}/aegis-events.jsonl.gz`;
    expect(gunzipSync(readFileSync(gz)).equals(readFileSync(file))).toBe(true);
    expect(await read(gz)).toStrictEqual(expected(gz));
  });
});

describe('OTLP JSON from the collector file exporter', () => {
  const file = `${DIR}/otel-collector.json`;
  const at = (line: number) => ({ file, line });
  const agent = { id: 'finance-agent', tenant: 'acme' };

  it('maps tool spans, skips the others and counts a duplicate span once', async () => {
    expect(await read(file)).toStrictEqual([
      {
        kind: 'skip',
        origin: at(1),
        reason: 'span "invoke_agent finance-agent" is not a tool call',
      },
      { kind: 'skip', origin: at(1), reason: 'span "chat gpt-4o" is not a tool call' },
      {
        kind: 'event',
        origin: at(1),
        format: 'otlp-json',
        timeNs: 1_795_014_600_123_456_789n,
        // Agent, tenant and region from the resource; arguments from a JSON string.
        input: {
          agent,
          tool: { name: 'stripe-payments', action: 'list_payments' },
          params: { limit: 25, created: { gte: 1_794_960_000 } },
          egress: { host: 'api.stripe.com' },
          context: {
            time: '2026-11-18T15:10:00.123456789Z',
            region: 'us-east-1',
            cost_usd: 0.002,
          },
        },
        recorded: { decision: 'allow' },
        // Upper-case hex in the file.
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
      },
      {
        kind: 'event',
        origin: at(1),
        format: 'otlp-json',
        timeNs: 1_795_014_601_000_000_000n,
        input: {
          agent,
          tool: { name: 'stripe-payments', action: 'create_payment' },
          params: {
            amount: 2500,
            currency: 'USD',
            recipient: recipientUS,
            idempotency_key: 'pay_20261118_0004',
          },
          egress: { host: 'api.stripe.com' },
          // The span's cloud.region wins over the resource's us-east-1.
          context: { time: '2026-11-18T15:10:01Z', region: 'us-west-2', cost_usd: 0.35 },
        },
        recorded: { decision: 'approval_needed' },
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b175',
      },
      {
        kind: 'event',
        origin: at(2),
        format: 'otlp-json',
        // A bare number above 2^53 in the file, kept exact.
        timeNs: 1_795_014_690_000_000_001n,
        // No gen_ai.operation.name, but a gen_ai.tool.name; arguments as a kvlist.
        input: {
          agent,
          tool: { name: 'slack-notify', action: 'post_message' },
          params: {
            channel: '#finance-payouts',
            text: 'Paid 2500 USD to vendor 4417',
            attempt: 2,
            mentions: ['@ap-team', '@cfo'],
          },
          egress: { host: 'hooks.slack.com' },
          context: { time: '2026-11-18T15:11:30.000000001Z', region: 'us-east-1' },
        },
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
      },
      {
        kind: 'event',
        origin: at(2),
        format: 'otlp-json',
        timeNs: 1_795_014_691_000_000_000n,
        input: {
          agent,
          tool: { name: 'stripe-payments', action: 'create_payment' },
          // intValue "50" (a string), a nested kvlist, a boolValue and a doubleValue.
          params: {
            amount: 50,
            currency: 'EUR',
            recipient: { country: 'DE', verified: true, account_number: 'DE89370400440532013000' },
            idempotency_key: 'pay_20261118_0005',
            fx_rate: 1.0842,
          },
          egress: { host: 'api.stripe.com' },
          context: { time: '2026-11-18T15:11:31Z', region: 'us-east-1', cost_usd: 0.35 },
        },
        recorded: { decision: 'sanitize' },
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203332',
      },
      {
        kind: 'skip',
        origin: at(2),
        reason: 'duplicate span eee19b7ec3c1b174 of trace 5b8efff798038103d269b633813fc60c',
      },
      {
        kind: 'event',
        origin: at(3),
        format: 'otlp-json',
        timeNs: 1_795_014_720_000_000_000n,
        // aegis.agent.id and aegis.tenant on the span; no region anywhere; cost an intValue.
        input: {
          agent,
          tool: { name: 'stripe-payments', action: 'retrieve_payment' },
          params: { payment_intent: 'pi_3QK2xL2eZvKYlo2C0r1nZ3pA' },
          egress: { host: 'api.stripe.com' },
          context: { time: '2026-11-18T15:12:00Z', cost_usd: 0 },
        },
        // Written as base64, the protobuf JSON mapping of bytes.
        traceId: '8a3c60f7d188f8fa79d48a391a778fa6',
        spanId: '53995c3f42cd8ad8',
      },
      {
        kind: 'malformed',
        origin: at(3),
        error: 'tool span has no gen_ai.agent.id (or aegis.agent.id)',
      },
      { kind: 'skip', origin: at(3), reason: 'span "POST /v1/payment_intents" is not a tool call' },
    ]);
  });

  it('reads a pretty-printed document with instrumentationLibrarySpans', async () => {
    const pretty = `${DIR}/otel-pretty.json`;
    expect(await read(pretty)).toStrictEqual([
      {
        kind: 'skip',
        origin: { file: pretty, line: 1 },
        reason: 'span "chat claude-sonnet-4" is not a tool call',
      },
      {
        kind: 'event',
        origin: { file: pretty, line: 1 },
        format: 'otlp-json',
        timeNs: 1_795_017_600_000_000_000n,
        input: {
          agent,
          tool: { name: 'slack-notify', action: 'post_message' },
          params: { channel: '#finance-alerts', text: 'Daily payout summary ready' },
          egress: { host: 'hooks.slack.com' },
          context: { time: '2026-11-18T16:00:00Z', region: 'us-east-1' },
        },
        traceId: 'a8f4c0e0b1d2e3f405162738495a6b7c',
        spanId: '0102030405060709',
      },
    ]);
  });
});

describe('OPA decision logs', () => {
  it("reads the console logger's output, ignoring the server's own log lines", async () => {
    const file = `${DIR}/opa-console.log`;
    expect(await read(file)).toStrictEqual([
      {
        kind: 'event',
        origin: { file, line: 4 },
        format: 'opa-decision-log',
        timeNs: 1_795_015_800_897_795_101n,
        input: {
          agent: finance,
          // The input's own time is kept: it is what the policy saw.
          context: { cost_usd: 0.35, region: 'us-east-1', time: '2026-11-18T15:30:00.5Z' },
          egress: { host: 'api.stripe.com' },
          params: {
            amount: 120,
            currency: 'USD',
            idempotency_key: 'pay_20261118_0006',
            recipient: recipientUS,
          },
          tool: { action: 'create_payment', name: 'stripe-payments' },
        },
        recorded: { decision: 'sanitize', outcome: 'sanitize' },
        erased: ['/input/params/recipient/account_number'],
      },
      {
        kind: 'skip',
        origin: { file, line: 7 },
        reason: 'decision path system/health/ok is not aegis/decision',
      },
      {
        kind: 'event',
        origin: { file, line: 10 },
        format: 'opa-decision-log',
        timeNs: 1_795_015_802_000_120_000n,
        input: {
          agent: finance,
          // No time in the input: the event's timestamp is put there.
          context: { region: 'us-east-1', time: '2026-11-18T15:30:02.00012Z' },
          egress: { host: 'api.stripe.com' },
          params: {
            amount: 4200,
            currency: 'GBP',
            idempotency_key: 'pay_20261118_0007',
            recipient: { country: 'GB', verified: true },
          },
          tool: { action: 'create_payment', name: 'stripe-payments' },
        },
        recorded: { decision: 'approval_needed', outcome: 'approval_needed' },
        traceId: '3e5f7a9b1c2d4e6f8091a2b3c4d5e6f7',
        spanId: 'a1b2c3d4e5f60718',
      },
    ]);
  });

  it('reads a pretty-printed array, each event at the line where it starts', async () => {
    const file = `${DIR}/opa-decision-logs.json`;
    const lines = readFileSync(file, 'utf8').split('\n');
    const starts = lines.flatMap((text, i) => (text === '  {' ? [i + 1] : []));
    expect(starts).toEqual([2, 62, 122, 150, 179]);
    expect(await read(file)).toStrictEqual([
      {
        kind: 'event',
        origin: { file, line: 2 },
        format: 'opa-decision-log',
        timeNs: 1_795_017_600_000_731_042n,
        input: {
          agent: finance,
          tool: { name: 'slack-notify', action: 'post_message' },
          params: { channel: '#finance-payouts', text: 'Paid 120 USD to vendor 9921' },
          egress: { host: 'hooks.slack.com' },
          context: { time: '2026-11-18T16:00:00Z', region: 'us-east-1' },
        },
        recorded: { decision: 'allow', outcome: 'allow' },
      },
      {
        kind: 'event',
        origin: { file, line: 62 },
        format: 'opa-decision-log',
        timeNs: 1_795_017_605_250_000_000n,
        input: {
          agent: finance,
          tool: { name: 'stripe-payments', action: 'create_payment' },
          params: {
            amount: 6000,
            currency: 'USD',
            recipient: recipientUS,
            idempotency_key: 'pay_20261118_0008',
          },
          egress: { host: 'api.stripe.com' },
          context: { time: '2026-11-18T16:00:05Z', region: 'us-east-1', cost_usd: 0.35 },
        },
        recorded: { decision: 'deny', outcome: 'deny' },
        // The /result path that was erased too is none of the replay's business.
        erased: ['/input/params/recipient/account_number'],
      },
      {
        kind: 'skip',
        origin: { file, line: 122 },
        reason: 'decision path system/authz/allow is not aegis/decision',
      },
      {
        kind: 'malformed',
        origin: { file, line: 150 },
        error: 'decision-log event has its whole input erased',
      },
      {
        kind: 'event',
        origin: { file, line: 179 },
        format: 'opa-decision-log',
        timeNs: 1_795_017_609_500_000_000n,
        input: {
          agent: finance,
          tool: { name: 'stripe-payments', action: 'list_payments' },
          params: { limit: 100 },
          egress: { host: 'api.stripe.com' },
          context: { region: 'us-west-2', cost_usd: 0.002, time: '2026-11-18T16:00:09.5Z' },
        },
        recorded: { decision: 'allow', outcome: 'allow' },
        erased: ['/input/context/usage'],
      },
    ]);
  });
});

describe('the fixture directory', () => {
  it('reads every file, each in its own format, as one timeline', async () => {
    const records = await read(DIR);
    const files = [...new Set(records.map((r) => r.origin.file))].sort();
    expect(files).toEqual([
      `${DIR}/aegis-events.jsonl`,
      `${DIR}/aegis-events.jsonl.gz`,
      `${DIR}/opa-console.log`,
      `${DIR}/opa-decision-logs.json`,
      `${DIR}/otel-collector.json`,
      `${DIR}/otel-pretty.json`,
    ]);
    const count = (kind: TraceRecord['kind']) => records.filter((r) => r.kind === kind).length;
    expect([count('event'), count('skip'), count('malformed')]).toEqual([21, 7, 8]);
  });
});
