import { checkRe2 } from '../re2.js';
import type { PolicyRule } from './rule.js';
import { regexSites, showPattern } from './support/regex-sites.js';

/** A regex in another dialect's syntax (lookaround, backreferences, ...): OPA cannot run it. */
export const regexNotRe2: PolicyRule = {
  id: 'regex-not-re2',
  check(policies, report) {
    for (const { at, pattern, pointer } of regexSites(policies)) {
      const result = checkRe2(pattern);
      if (result.ok || result.reason !== 'not-re2') continue;
      report(at, pointer, `regex \`${showPattern(pattern)}\`: ${result.message}`, {
        hint: result.hint,
      });
    }
  },
};
