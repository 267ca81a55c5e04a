import type { PolicyIdentity } from '../rule.js';

/** How the cross-policy rules name a policy: `global policy for agent `a``, or with its tenant. */
export function describeIdentity(policy: Pick<PolicyIdentity, 'tenant' | 'agent'>): string {
  return policy.tenant === undefined
    ? `global policy for agent \`${policy.agent}\``
    : `policy for agent \`${policy.agent}\` in tenant \`${policy.tenant}\``;
}
