/**
 * `traces/example.jsonl` as `aegis init` writes it: recorded tool calls in the aegis JSON
 * Lines trace format (POLICY-LANGUAGE.md sections 3 and 9), chosen so that replaying them
 * against the example policies shows every outcome: allow, sanitize, approval_needed and deny
 * (over the limit, wrong parameter, unknown action, disallowed host, rate limit, no policy).
 */

interface TraceEvent {
  agent: { id: string; tenant?: string };
  tool: { name: string; action?: string };
  params?: Record<string, unknown>;
  egress?: { host: string };
  context: { time: string; cost_usd?: number };
}

const pay = (
  time: string,
  params: Record<string, unknown>,
  host = 'api.stripe.com',
): TraceEvent => ({
  agent: { id: 'finance-agent' },
  tool: { name: 'stripe-payments', action: 'create_payment' },
  params,
  egress: { host },
  context: { time, cost_usd: 0.01 },
});

const support = (time: string, action: string, params: Record<string, unknown>): TraceEvent => ({
  agent: { id: 'support-agent' },
  tool: { name: 'zendesk', action },
  params,
  egress: { host: 'acme.zendesk.com' },
  context: { time },
});

const deploy = (time: string, environment: string, service = 'checkout'): TraceEvent => ({
  agent: { id: 'devops-agent' },
  tool: { name: 'deploy-service', action: 'deploy' },
  params: { environment, service },
  context: { time },
});

// 2026-11-20 is a Friday; 2026-11-21 a Saturday.
export const EXAMPLE_TRACE: readonly TraceEvent[] = [
  deploy('2026-11-20T10:00:00Z', 'staging'),
  deploy('2026-11-20T10:00:00.300Z', 'staging'),
  // The third deploy within one second: over the 2 rps limit.
  deploy('2026-11-20T10:00:00.600Z', 'staging'),
  deploy('2026-11-20T11:00:00Z', 'production'),
  pay('2026-11-20T14:00:00Z', { amount: 250, currency: 'USD', recipient: { country: 'US' } }),
  pay('2026-11-20T14:05:00Z', { amount: 1500, currency: 'EUR', recipient: { country: 'DE' } }),
  pay('2026-11-20T14:10:00Z', { amount: 7200, currency: 'USD', recipient: { country: 'US' } }),
  pay('2026-11-20T14:15:00Z', { amount: 90, currency: 'GBP', recipient: { country: 'GB' } }),
  pay('2026-11-20T14:20:00Z', { amount: 400, currency: 'USD', recipient: { country: 'KP' } }),
  pay(
    '2026-11-20T14:25:00Z',
    { amount: 75, currency: 'USD', recipient: { country: 'US' } },
    'pastebin.com',
  ),
  {
    agent: { id: 'finance-agent' },
    tool: { name: 'stripe-payments', action: 'refund_payment' },
    params: { payment_id: 'pi_3Nx' },
    egress: { host: 'api.stripe.com' },
    context: { time: '2026-11-20T14:30:00Z' },
  },
  support('2026-11-20T15:00:00Z', 'get_ticket', { ticket_id: 4711 }),
  support('2026-11-20T15:01:00Z', 'add_comment', {
    ticket_id: 4711,
    body: 'Refund sent to jane.doe@example.com',
    customer: { ssn: '123-45-6789' },
  }),
  support('2026-11-20T15:02:00Z', 'delete_ticket', { ticket_id: 4711 }),
  deploy('2026-11-20T17:30:00Z', 'production'),
  pay('2026-11-21T15:00:00Z', { amount: 120, currency: 'USD', recipient: { country: 'US' } }),
  {
    agent: { id: 'marketing-agent' },
    tool: { name: 'mailchimp', action: 'send_campaign' },
    params: { list: 'all-customers' },
    context: { time: '2026-11-21T16:00:00Z' },
  },
];

export function exampleTrace(): string {
  return `${EXAMPLE_TRACE.map((event) => JSON.stringify(event)).join('\n')}\n`;
}
