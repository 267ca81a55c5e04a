/**
 * `policies/agents.test.yaml` as `aegis init` writes it: cases for `aegis test`, one or more
 * per agent of the example policies, each expectation read off the policy (not copied from
 * what aegis answered). test/e2e/init.test.ts runs them.
 */
export function exampleTests(schema: string): string {
  return `# yaml-language-server: $schema=${schema}
#
# Policy tests for agents.yaml: \`aegis test policies\` decides each input and compares the
# fields under \`expect\` (decision, outcome, allow, mode, codes, rules, redactions, params).
# A Wednesday afternoon in New York unless a case says otherwise.
cases:
  - name: a small payment goes through
    input:
      agent: { id: finance-agent }
      tool: { name: stripe-payments, action: create_payment }
      params: { amount: 120, currency: USD, recipient: { country: DE } }
      egress: { host: api.stripe.com }
      context: { time: "2026-11-18T19:00:00Z" }
    expect: { decision: allow, codes: [] }

  - name: over 1,000 a human approves
    input:
      agent: { id: finance-agent }
      tool: { name: stripe-payments, action: create_payment }
      params: { amount: 2500, currency: EUR, recipient: { country: DE } }
      egress: { host: api.stripe.com }
      context: { time: "2026-11-18T19:00:00Z" }
    expect: { decision: approval_needed, codes: [amount_needs_approval] }

  - name: over 5,000 is denied (and over the approval line too)
    input:
      agent: { id: finance-agent }
      tool: { name: stripe-payments, action: create_payment }
      params: { amount: 6000, currency: USD, recipient: { country: DE } }
      egress: { host: api.stripe.com }
      context: { time: "2026-11-18T19:00:00Z" }
    expect: { decision: deny, codes: [amount_needs_approval, amount_over_max] }

  - name: a currency that is not listed is denied, by the currency check
    input:
      agent: { id: finance-agent }
      tool: { name: stripe-payments, action: create_payment }
      params: { amount: 120, currency: GBP, recipient: { country: DE } }
      egress: { host: api.stripe.com }
      context: { time: "2026-11-18T19:00:00Z" }
    expect:
      decision: deny
      rules: [_/finance-agent/stripe-payments/params/currency/in]

  - name: on a Saturday in New York a human approves
    input:
      agent: { id: finance-agent }
      tool: { name: stripe-payments, action: create_payment }
      params: { amount: 120, currency: USD, recipient: { country: DE } }
      egress: { host: api.stripe.com }
      context: { time: "2026-11-21T15:00:00Z" }
    expect:
      decision: approval_needed
      rules: [_/finance-agent/stripe-payments/weekend-approval]

  - name: a host off the egress list is denied
    input:
      agent: { id: finance-agent }
      tool: { name: stripe-payments, action: create_payment }
      params: { amount: 120, currency: USD, recipient: { country: DE } }
      egress: { host: payments.example.com }
      context: { time: "2026-11-18T19:00:00Z" }
    expect: { decision: deny, codes: [egress_denied] }

  - name: in shadow mode an email is reported, not yet redacted
    input:
      agent: { id: support-agent }
      tool: { name: zendesk, action: add_comment }
      params: { ticket_id: 42, comment: "Write to jane@example.com" }
      egress: { host: acme.zendesk.com }
      context: { time: "2026-11-18T19:00:00Z" }
    expect:
      mode: shadow
      decision: allow
      outcome: sanitize
      redactions: [{ path: /comment, by: email }]
      params: { ticket_id: 42, comment: "Write to jane@example.com" }

  - name: a production deploy needs a human
    input:
      agent: { id: devops-agent }
      tool: { name: deploy-service, action: deploy }
      params: { environment: production, service: checkout }
      context: { time: "2026-11-17T10:00:00Z" }
    expect: { decision: approval_needed, codes: [rule_matched] }

  - name: an agent without a policy is denied
    input:
      agent: { id: intern-agent }
      tool: { name: deploy-service, action: deploy }
      context: { time: "2026-11-18T19:00:00Z" }
    expect: { decision: deny, codes: [no_policy] }
`;
}
