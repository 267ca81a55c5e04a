/**
 * `policies/agents.yaml` as `aegis init` writes it: three agents that show most of the
 * language (conditions, params, rules with time windows, rate limits, budgets, redaction,
 * shadow mode, egress). test/e2e/init.test.ts checks that it validates without a warning.
 */

/**
 * The editor schema comes from the package as published on npm, pinned to the version of
 * aegis that wrote the file: it works for `npx` and global installs (where no node_modules
 * sits beside the project) and describes exactly the format this aegis validates.
 */
export function schemaUrl(packageName: string, version: string): string {
  return `https://unpkg.com/${packageName}@${version}/schemas/aegis-policy.v1.schema.json`;
}

/** The same for the test files of `aegis test`. */
export function testSchemaUrl(packageName: string, version: string): string {
  return `https://unpkg.com/${packageName}@${version}/schemas/policy-test.schema.json`;
}

export function examplePolicies(schema: string): string {
  return `# yaml-language-server: $schema=${schema}
#
# Example agent policies written by \`aegis init\`: one YAML document per agent.
# \`aegis schema policy\` prints every key; \`aegis validate policies\` checks this file.

# FinTech: payments up to 5,000, a human approves anything over 1,000 or on a weekend.
version: 1
agent: finance-agent
description: Pays vendors through Stripe
allowed_tools:
  - name: stripe-payments
    actions: [create_payment]
    conditions:
      max_amount: 5000
      approval_needed_over: 1000
    params:
      currency: { in: [USD, EUR] }
      recipient.country: { not_in: [KP, IR, SY] }
      memo: { matches: "^[A-Za-z0-9 .,-]{0,140}$", optional: true }
    rules:
      - id: weekend-approval
        when:
          time: { days: [sat, sun], tz: America/New_York }
        effect: approval_needed
        reason: Weekend payments need a human
    rate_limit: { rps: 3, on_exceed: approval_needed }
    budget: { daily_usd: 5000, on_exceed: approval_needed }
egress:
  allow: [api.stripe.com]
---
# Support: personal data is redacted before it leaves. In shadow mode nothing is blocked
# yet; \`aegis simulate\` shows what enforcing would block.
version: 1
agent: support-agent
mode: shadow
description: Answers customer tickets
allowed_tools:
  - name: zendesk
    actions: [get_ticket, add_comment]
    params:
      ticket_id: { type: integer, gte: 1 }
    sanitize:
      redact: [customer.ssn]
      detectors: [email, credit_card]
egress:
  allow: ["*.zendesk.com"]
rate_limit: { rps: 5 }
---
# DevOps: staging deploys go through, production needs a human, and never on Friday evening.
version: 1
agent: devops-agent
allowed_tools:
  - name: deploy-service
    actions: [deploy, rollback]
    params:
      environment: { in: [staging, production] }
      service: { matches: "^[a-z][a-z0-9-]{1,62}$" }
    rules:
      - id: production-approval
        when: { param: environment, eq: production }
        effect: approval_needed
        reason: Production deploys need a human
      - id: no-friday-evening-production
        when:
          all:
            - { param: environment, eq: production }
            - time: { days: [fri], hours: "16:00-22:00", tz: UTC }
        effect: deny
        reason: No production deploys on Friday evening
    rate_limit: { rps: 2 }
`;
}
