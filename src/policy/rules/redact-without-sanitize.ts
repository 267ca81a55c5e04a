import type { PolicyRule } from './rule.js';
import { ruleName, ruleSites } from './support/walk.js';

/** `redact` on a rule whose effect is not `sanitize`: the paths would never be redacted. */
export const redactWithoutSanitize: PolicyRule = {
  id: 'redact-without-sanitize',
  check(policies, report) {
    for (const site of ruleSites(policies)) {
      const { rule, rulePointer } = site;
      if (rule.redact === undefined || rule.effect === 'sanitize') continue;
      report(
        site.at,
        `${rulePointer}/redact`,
        `${ruleName(site)} lists \`redact\` but its effect is \`${rule.effect}\`, so nothing is redacted`,
        { hint: 'remove `redact`, or set `effect: sanitize`', target: 'key' },
      );
    }
  },
};
