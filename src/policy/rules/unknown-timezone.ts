import { isKnownTimeZone, suggestTimeZone } from '../timezones.js';
import type { PolicyRule } from './rule.js';
import { timeSites } from './support/time-sites.js';

/**
 * A `tz` that either engine would not know. OPA's time builtins fail on it, which makes the
 * `time` test false: the rule would silently never fire. timezones.ts says what is accepted.
 */
export const unknownTimezone: PolicyRule = {
  id: 'unknown-timezone',
  check(policies, report) {
    for (const { at, window, pointer } of timeSites(policies)) {
      const tz = window.tz;
      if (typeof tz !== 'string' || isKnownTimeZone(tz)) continue;
      const meant = suggestTimeZone(tz);
      const hint = meant
        ? meant.toLowerCase() === tz.toLowerCase()
          ? `zone names are case-sensitive: write \`${meant}\``
          : `did you mean \`${meant}\`?`
        : 'use an IANA zone name such as `UTC`, `Europe/Berlin` or `America/New_York`';
      report(at, `${pointer}/tz`, `unknown time zone \`${tz}\``, { hint });
    }
  },
};
