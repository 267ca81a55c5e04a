import { checkRe2 } from '../re2.js';
import type { PolicyRule } from './rule.js';
import { regexSites, showPattern } from './support/regex-sites.js';

/** A regex that does not compile in any dialect. */
export const regexInvalid: PolicyRule = {
  id: 'regex-invalid',
  check(policies, report) {
    for (const { at, pattern, pointer } of regexSites(policies)) {
      const result = checkRe2(pattern);
      if (result.ok || result.reason !== 'invalid') continue;
      report(at, pointer, `regex \`${showPattern(pattern)}\` does not compile: ${result.message}`, {
        hint: result.hint,
      });
    }
  },
};
