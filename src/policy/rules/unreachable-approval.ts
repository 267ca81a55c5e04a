import type { PolicyRule } from './rule.js';
import { toolSites } from './support/walk.js';

/**
 * `approval_needed_over >= max_amount`: every amount over the approval threshold is also over
 * the maximum and denied, so approval is never asked.
 */
export const unreachableApproval: PolicyRule = {
  id: 'unreachable-approval',
  check(policies, report) {
    for (const { at, tool, pointer } of toolSites(policies)) {
      const over = tool.conditions?.approval_needed_over;
      const max = tool.conditions?.max_amount;
      if (over === undefined || max === undefined || over < max) continue;
      report(
        at,
        `${pointer}/conditions/approval_needed_over`,
        `\`approval_needed_over\` ${over} is not below \`max_amount\` ${max}: approval is never asked`,
        { hint: 'set `approval_needed_over` below `max_amount`, or remove it' },
      );
    }
  },
};
