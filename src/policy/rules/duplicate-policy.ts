import type { CrossPolicyRule, PolicyIdentity } from './rule.js';
import { describeIdentity } from './support/identity.js';

/**
 * POLICY-LANGUAGE.md section 1: `(tenant, agent)` identifies a policy, across every file given.
 * The first document keeps the identity; each later one is reported, pointing back at it.
 */
export const duplicatePolicy: CrossPolicyRule = {
  id: 'duplicate-policy',
  across: true,
  check(policies, report) {
    const first = new Map<string, PolicyIdentity>();
    for (const at of policies) {
      const { tenant, agent } = at;
      // A global policy and a tenant policy for the same agent are different identities.
      const key = JSON.stringify([tenant ?? null, agent]);
      const earlier = first.get(key);
      if (!earlier) {
        first.set(key, at);
        continue;
      }
      const where = `${earlier.source.file}:${earlier.source.locate('/agent').line}`;
      report(at, '/agent', `${describeIdentity(at)} is already defined at ${where}`, {
        hint: 'merge the two documents, or give one of them another `tenant`',
      });
    }
  },
};
