import type { PolicyRule } from './rule.js';

/** An egress pattern of bare `*`: it allows every host, which defeats the allowlist. */
export const bareWildcardEgress: PolicyRule = {
  id: 'bare-wildcard-egress',
  check(policies, report) {
    for (const at of policies) {
      (at.policy.egress?.allow ?? []).forEach((pattern, i) => {
        if (pattern !== '*') return;
        report(at, `/egress/allow/${i}`, 'egress pattern `*` allows every host', {
          hint: 'list the hosts the agent needs, e.g. `api.stripe.com` or `*.slack.com`',
        });
      });
    }
  },
};
