/** The five reference scenarios (ARCHITECTURE.md) against fixtures/policies, end to end through validate. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalize } from '../../src/compiler/normalize.js';
import { checkSources } from '../../src/policy/validate.js';
import { codes, decide } from './helpers.js';

const dir = 'fixtures/policies';
const loaded = checkSources(
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({
      file: join(dir, f),
      text: readFileSync(join(dir, f), 'utf8'),
      kind: 'yaml' as const,
    })),
).loaded;
const ir = normalize(loaded);

const weekday = '2026-11-18T15:00:00Z'; // Wednesday 10:00 in New York, 16:00 in Berlin

describe('FinTech: finance-agent pays through Stripe', () => {
  const pay = (amount: number, usage: Record<string, number> = {}, cost = 0) =>
    decide(ir, {
      agent: { id: 'finance-agent', tenant: 'acme', claims: { team: 'payments' } },
      tool: { name: 'stripe-payments', action: 'create_payment' },
      params: {
        amount,
        currency: 'USD',
        recipient: { country: 'DE', verified: true },
        idempotency_key: 'pay_0123456789',
      },
      egress: { host: 'api.stripe.com' },
      context: { time: weekday, region: 'us-east-1', cost_usd: cost, usage },
    });

  it('allows a small payment', () => {
    expect(pay(200).decision).toBe('allow');
  });
  it('asks for approval over 1,000 and denies over 5,000', () => {
    expect(pay(1500).decision).toBe('approval_needed');
    expect(codes(pay(6000))).toEqual(['amount_needs_approval', 'amount_over_max']);
    expect(pay(6000).decision).toBe('deny');
  });
  it('asks for approval over the daily budget or the rate', () => {
    expect(codes(pay(10, { tool_spend_today_usd: 499.9 }, 0.2))).toEqual(['budget_exceeded']);
    expect(pay(10, { tool_spend_today_usd: 499.9 }, 0.2).decision).toBe('approval_needed');
    expect(codes(pay(10, { tool_rps: 4, agent_rps: 4 }))).toEqual(['rate_limited']);
  });
});

describe('Healthcare: the EHR agent', () => {
  const read = (params: Record<string, unknown>, host = 'fhir.st-marys.example.org') =>
    decide(ir, {
      agent: { id: 'ehr-agent', tenant: 'st-marys' },
      tool: { name: 'ehr-api', action: 'read_record' },
      params,
      egress: { host },
      context: { time: weekday },
    });

  it('redacts SSNs and dates of birth', () => {
    const d = read({
      patient_id: 'P12345678',
      patient: { ssn: '123-45-6789', dob: '1984-07-19' },
      note: 'dob 1984-07-19',
    });
    expect(d.decision).toBe('sanitize');
    expect(d.params).toEqual({
      patient_id: 'P12345678',
      patient: { ssn: '[REDACTED]', dob: '[REDACTED]' },
      note: 'dob [REDACTED]',
    });
    expect(d.redactions).toEqual([
      { path: '/note', by: 'dob' },
      { path: '/patient/dob', by: 'path' },
      { path: '/patient/ssn', by: 'path' },
    ]);
  });
  it('denies endpoints outside the allowlist', () => {
    expect(codes(read({ patient_id: 'P12345678' }, 'evil.example.com'))).toEqual(['egress_denied']);
    expect(codes(read({ patient_id: 'P12345678' }, 'a.b.EHR.st-marys.example.org'))).toEqual([]);
  });
});

describe('SaaS: llm-agent on openai-api', () => {
  const chat = (usage: Record<string, number>, cost: number) =>
    decide(ir, {
      agent: { id: 'llm-agent' },
      tool: { name: 'openai-api', action: 'chat.completions' },
      params: { model: 'gpt-4o-mini', user: 'u-1' },
      egress: { host: 'api.openai.com' },
      context: { time: weekday, cost_usd: cost, usage },
    });

  it('denies over 20 USD a day and over 5 rps', () => {
    expect(chat({ tool_spend_today_usd: 19.99 }, 0.01).decision).toBe('allow');
    expect(
      codes(chat({ tool_spend_today_usd: 19.99, agent_spend_today_usd: 19.99 }, 0.02)),
    ).toEqual(['budget_exceeded']);
    expect(codes(chat({ tool_rps: 6, agent_rps: 6 }, 0))).toEqual(['rate_limited']);
  });
});

describe('DevOps: devops-agent deploys', () => {
  const deploy = (environment: string) =>
    decide(ir, {
      agent: { id: 'devops-agent' },
      tool: { name: 'deploy-service', action: 'deploy' },
      params: { environment, service: 'web', version: 'v1.2.3' },
      egress: { host: 'deploy.internal.example.com' },
      context: { time: weekday },
    });

  it('needs approval for production, allows staging', () => {
    expect(deploy('production').decision).toBe('approval_needed');
    expect(deploy('staging').decision).toBe('allow');
  });
});

describe('MSSP: one agent id, two tenants', () => {
  const search = (tenant: string, region: string) =>
    decide(ir, {
      agent: { id: 'soc-agent', tenant },
      tool: { name: 'siem', action: 'search' },
      params: { query: 'failed logins' },
      egress: { host: `siem.${tenant}.example.com` },
      context: { time: weekday, region },
    });

  it('applies each tenant its own policy and regions', () => {
    expect(search('acme', 'eu-west-1')).toMatchObject({
      decision: 'allow',
      policy: { agent: 'soc-agent', tenant: 'acme' },
    });
    expect(codes(search('acme', 'us-east-1'))).toEqual(['region_denied']);
    expect(search('globex', 'us-east-1')).toMatchObject({
      decision: 'allow',
      mode: 'shadow',
      outcome: 'allow',
    });
  });
  it('reports would-blocks of the shadow tenant without blocking', () => {
    const d = search('globex', 'eu-west-1');
    expect(d).toMatchObject({ decision: 'allow', allow: true, outcome: 'deny', mode: 'shadow' });
    expect(codes(d)).toEqual(['region_denied']);
  });
  it('never applies a tenant policy to another tenant', () => {
    expect(codes(search('initech', 'eu-west-1'))).toEqual(['no_policy']);
  });
});
