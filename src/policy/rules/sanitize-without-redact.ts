import type { PolicyRule } from './rule.js';
import { ruleName, ruleSites } from './support/walk.js';

/** `effect: sanitize` with nothing to redact: the rule would "sanitize" a call unchanged. */
export const sanitizeWithoutRedact: PolicyRule = {
  id: 'sanitize-without-redact',
  check(policies, report) {
    for (const site of ruleSites(policies)) {
      const { rule, rulePointer } = site;
      if (rule.effect !== 'sanitize' || (rule.redact && rule.redact.length > 0)) continue;
      const pointer = rule.redact ? `${rulePointer}/redact` : `${rulePointer}/effect`;
      report(
        site.at,
        pointer,
        `${ruleName(site)} has \`effect: sanitize\` but nothing to \`redact\``,
        {
          hint: 'list the parameter paths to redact, e.g. `redact: [memo]`',
        },
      );
    }
  },
};
