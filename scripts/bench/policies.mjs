// The generated agent policies of the validate, opa-scale and compile benchmarks: seeded, so
// every run writes the same files.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

function* random(seed) {
  let x = seed >>> 0;
  for (;;) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    yield (x >>> 0) / 2 ** 32;
  }
}

/**
 * Writes `count` agent policies (`agent-NNNN.yaml`, tenant `tenant-<i % 17>`) with `tools`
 * allowed_tools entries each (params, rules, limits, sanitize), the same files every run;
 * returns the number of lines written.
 */
export function generatePolicies(dir, count, tools = 3) {
  const rnd = random(42);
  const pick = (xs) => xs[Math.floor(rnd.next().value * xs.length)];
  let lines = 0;
  for (let i = 0; i < count; i++) {
    const entries = [];
    for (let t = 0; t < tools; t++) {
      entries.push(`  - name: tool-${t}
    actions: [create, read_${t}]
    conditions:
      max_amount: ${1000 + t * 500}
      approval_needed_over: ${500 + t * 100}
    params:
      currency: { in: [USD, EUR, GBP] }
      recipient.country: { not_in: [KP, IR, SY] }
      memo: { matches: "^[A-Za-z0-9 .,-]{0,140}$", optional: true }
      quantity: { type: integer, gte: 1, lte: ${pick([10, 100, 1000])} }
      environment: { in: [staging, production], optional: true }
      region: { prefix: "eu-", optional: true }
    rules:
      - id: weekend-${t}
        when:
          time: { days: [sat, sun], tz: ${pick(['America/New_York', 'Europe/Berlin', 'UTC'])} }
        effect: approval_needed
        reason: Weekend calls need a human
      - when:
          any:
            - { param: environment, eq: production }
            - { field: agent.claims.team, in: [ops, sre] }
        effect: deny
    rate_limit: { rps: ${t + 2}, on_exceed: approval_needed }
    budget: { daily_usd: ${100 * (t + 1)} }
    sanitize:
      detectors: [ssn, email]
      patterns:
        - { name: mrn, regex: "MRN-[0-9]{8}" }`);
    }
    const text = `# generated policy ${i}
version: 1
agent: agent-${i}
tenant: tenant-${i % 17}
mode: ${i % 10 === 0 ? 'shadow' : 'enforce'}
description: Generated agent number ${i}
regions: [eu-west-1, us-east-1]
allowed_tools:
${entries.join('\n')}
egress:
  allow: [api.example.com, "*.internal.example.com"]
rate_limit: { rps: 20 }
budget: { daily_usd: 2000, on_exceed: approval_needed }
`;
    lines += text.split('\n').length - 1;
    writeFileSync(join(dir, `agent-${String(i).padStart(4, '0')}.yaml`), text);
  }
  return lines;
}
