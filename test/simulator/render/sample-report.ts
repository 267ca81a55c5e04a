/** Hand-made SimulationReports that exercise every corner the report renderers handle. */
import type { ReportRenderOptions } from '../../../src/simulator/render/renderers.js';
import type { CountsWithBlocks, SimulationReport } from '../../../src/simulator/types.js';

export const OPTIONS: ReportRenderOptions = { color: false, version: '0.0.0-test' };

function counts(allow: number, sanitize: number, approval: number, deny: number): CountsWithBlocks {
  return {
    events: allow + sanitize + approval + deny,
    would_block: approval + deny,
    allow,
    sanitize,
    approval_needed: approval,
    deny,
  };
}

/** A baseline comparison over two days with new blocks, unblocks and malformed records. */
export const REPORT: SimulationReport = {
  format_version: 1,
  events: 1312,
  evaluated: 1250,
  skipped: 40,
  malformed: 22,
  late: 3,
  erased: 2,
  outcomes: { allow: 1040, sanitize: 60, approval_needed: 38, deny: 112 },
  would_block: 150,
  by_agent: {
    'payments-bot': counts(400, 10, 30, 70),
    'support-assistant': counts(380, 50, 0, 25),
    'deploy-agent': counts(200, 0, 8, 17),
    'research-crawler': counts(60, 0, 0, 0),
  },
  by_tool: {
    'stripe.refund': counts(220, 0, 30, 60),
    'zendesk.reply': counts(330, 60, 0, 20),
    'github.deploy': counts(190, 0, 8, 17),
    'http.fetch': counts(300, 0, 0, 15),
  },
  by_rule: {
    'acme/payments-bot/stripe.refund/max_amount': 60,
    'acme/payments-bot/stripe.refund/approval_needed_over': 30,
    'acme/support-assistant/_/egress': 25,
    'acme/deploy-agent/github.deploy/time_window': 17,
    'acme/deploy-agent/github.deploy/approval': 8,
    'acme/support-assistant/zendesk.reply/redact': 60,
  },
  by_code: {
    amount_over_max: 60,
    amount_needs_approval: 30,
    egress_denied: 25,
    rule_matched: 25,
    redacted: 60,
  },
  changes: {
    'allow->deny': 9,
    'allow->approval_needed': 3,
    'sanitize->deny': 2,
    'deny->allow': 4,
    'allow->sanitize': 5,
    'approval_needed->deny': 1,
  },
  compared_with: 'baseline',
  examples: [
    {
      transition: 'allow->deny',
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      span_id: '00f067aa0ba902b7',
      time: '2025-03-04T09:15:02.120Z',
      file: 'traces/day1.jsonl',
      line: 17,
      agent: 'payments-bot',
      tenant: 'acme',
      tool: 'stripe',
      action: 'refund',
      outcome: 'deny',
      baseline: 'allow',
      reasons: [
        {
          code: 'amount_over_max',
          effect: 'deny',
          rule: 'acme/payments-bot/stripe.refund/max_amount',
          message: 'refunds are capped at 500 USD',
        },
      ],
    },
    {
      transition: 'allow->approval_needed',
      time: '2025-03-04T11:40:00Z',
      file: 'traces/day1.jsonl',
      line: 240,
      agent: 'deploy-agent',
      tenant: 'acme',
      tool: 'github.deploy',
      outcome: 'approval_needed',
      baseline: 'allow',
      reasons: [
        {
          code: 'rule_matched',
          effect: 'approval_needed',
          rule: 'acme/deploy-agent/github.deploy/approval',
          message: 'production deploys need a human',
        },
      ],
    },
    {
      transition: 'deny->allow',
      time: '2025-03-05T02:03:04Z',
      file: 'traces/day2.jsonl',
      line: 3,
      agent: 'support-assistant',
      tool: 'http.fetch',
      outcome: 'allow',
      baseline: 'deny',
      reasons: [],
    },
  ],
  timeline: {
    '2025-03-04T08': 4,
    '2025-03-04T09': 21,
    '2025-03-04T10': 35,
    '2025-03-04T11': 18,
    '2025-03-04T14': 9,
    '2025-03-04T20': 2,
    '2025-03-05T02': 6,
    '2025-03-05T09': 30,
    '2025-03-05T10': 25,
  },
  first_malformed: [
    { file: 'traces/day1.jsonl', line: 88, error: 'not JSON (Unexpected token } in JSON)' },
    { file: 'traces/day2.jsonl', line: 5, error: 'context.time is missing' },
  ],
  shard: '1/2',
  policy: { revision: 'sha256:3f2a9c1d', engine: 'native' },
  baseline: { revision: 'sha256:1a2b3c4d' },
};

/** Nothing to compare with, nothing blocked, no malformed records. */
export const CLEAN: SimulationReport = {
  format_version: 1,
  events: 12,
  evaluated: 10,
  skipped: 2,
  malformed: 0,
  late: 0,
  erased: 0,
  outcomes: { allow: 9, sanitize: 1, approval_needed: 0, deny: 0 },
  would_block: 0,
  by_agent: { 'support-assistant': counts(9, 1, 0, 0) },
  by_tool: { 'zendesk.reply': counts(9, 1, 0, 0) },
  by_rule: { 'acme/support-assistant/zendesk.reply/redact': 1 },
  by_code: { redacted: 1 },
  changes: {},
  compared_with: 'none',
  examples: [],
  timeline: {},
  first_malformed: [],
  policy: { revision: 'dev', engine: 'native' },
};

const SCRIPT = '<script>alert(1)</script>';
const QUOTE = '" onmouseover="alert(2)';

/** Every trace-controlled string is hostile: markup, quotes, control characters, pipes. */
export const HOSTILE: SimulationReport = {
  ...REPORT,
  by_agent: {
    [SCRIPT]: counts(1, 0, 0, 2),
    [QUOTE]: counts(0, 0, 1, 0),
    ['__proto__']: counts(1, 0, 0, 0),
  },
  by_tool: { 'x</td></tr></table><img src=x onerror=alert(3)>': counts(1, 0, 1, 2) },
  by_rule: { 'a|b\u001b[31m<b>': 3, '@octocat `tick`': 1 },
  by_code: { '</details><script>': 1 },
  changes: { [`${SCRIPT}->deny`]: 2, 'allow->deny': 1 },
  examples: [
    {
      transition: `${SCRIPT}->deny`,
      trace_id: '<i>trace</i>',
      time: '2025-03-04T09:15:02Z',
      file: 'traces/<evil>.jsonl',
      line: 1,
      agent: SCRIPT,
      tenant: QUOTE,
      tool: '<svg onload=alert(4)>',
      outcome: 'deny',
      baseline: SCRIPT,
      reasons: [{ code: 'rule_matched', effect: 'deny', rule: '<rule>', message: '<img src=x>' }],
    },
  ],
  first_malformed: [{ file: '<file>.jsonl', line: 2, error: `bad ${SCRIPT}\nsecond line` }],
  shard: '<b>1/2</b>',
  policy: { revision: `rev${SCRIPT}`, engine: 'native' },
  baseline: { revision: QUOTE },
};
