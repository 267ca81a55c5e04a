import type { PolicyRule } from './rule.js';
import { toolSites } from './support/walk.js';

/** `min_amount > max_amount`: no amount passes both, so every call is denied. */
export const minOverMax: PolicyRule = {
  id: 'min-over-max',
  check(policies, report) {
    for (const { at, tool, pointer } of toolSites(policies)) {
      const min = tool.conditions?.min_amount;
      const max = tool.conditions?.max_amount;
      if (min === undefined || max === undefined || min <= max) continue;
      report(
        at,
        `${pointer}/conditions/min_amount`,
        `\`min_amount\` ${min} is greater than \`max_amount\` ${max}: every call is denied`,
        { hint: 'swap the two values, or lower `min_amount`' },
      );
    }
  },
};
