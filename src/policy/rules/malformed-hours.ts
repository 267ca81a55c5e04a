import type { PolicyRule } from './rule.js';
import { checkHours } from './support/hours.js';
import { timeSites } from './support/time-sites.js';

/** `hours` that is not `HH:MM-HH:MM`, names a time that does not exist, or is empty. */
export const malformedHours: PolicyRule = {
  id: 'malformed-hours',
  check(policies, report) {
    for (const { at, window, pointer } of timeSites(policies)) {
      if (typeof window.hours !== 'string') continue;
      const result = checkHours(window.hours);
      if (!result.ok) report(at, `${pointer}/hours`, result.message, { hint: result.hint });
    }
  },
};
