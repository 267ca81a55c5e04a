import type { CrossPolicyRule, PolicyIdentity } from './rule.js';
import { describeIdentity } from './support/identity.js';

/**
 * Rule ids are `<tenant or _>/<agent>/<tool>/<part>` (POLICY-LANGUAGE.md section 5). Two
 * different identities can spell the same prefix: tenant `a/b` with agent `c` and tenant `a`
 * with agent `b/c`, or tenant `_` beside the global policy of the same agent. Their decisions
 * stay apart (`policy` names the identity), but their reasons cite the same ids (at least the
 * agent-wide ones, `<prefix>/_/tools` and the like), so a simulation report's `by_rule` counts
 * them together. Each later policy with a prefix already seen is reported, pointing back.
 */
export const sharedRuleIds: CrossPolicyRule = {
  id: 'shared-rule-ids',
  across: true,
  check(policies, report) {
    const first = new Map<string, PolicyIdentity>();
    for (const at of policies) {
      const prefix = `${at.tenant ?? '_'}/${at.agent}`;
      const earlier = first.get(prefix);
      if (!earlier) {
        first.set(prefix, at);
        continue;
      }
      // The same identity twice is duplicate-policy's to report.
      if (earlier.tenant === at.tenant && earlier.agent === at.agent) continue;
      const where = `${earlier.source.file}:${earlier.source.locate('/agent').line}`;
      report(
        at,
        '/agent',
        `this policy's rule ids begin \`${prefix}/\`, as those of the ${describeIdentity(earlier)} at ${where} do: simulation reports count their reasons together`,
        { hint: 'avoid `/` in tenant and agent names, and a tenant named `_`' },
      );
    }
  },
};
