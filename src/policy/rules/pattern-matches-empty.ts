import { canMatchEmpty } from '../empty-match.js';
import { checkRe2 } from '../re2.js';
import type { PolicyRule } from './rule.js';
import { showPattern } from './support/regex-sites.js';
import { toolSites } from './support/walk.js';

/**
 * A `sanitize.patterns` regex that can match the empty string somewhere (`a*`, `x|`, `^`,
 * `\b`, `$|x`): every match is replaced by `[REDACTED]`, so it would insert the marker where
 * there is nothing to redact (between characters, at word boundaries, at the end), and flag
 * every string it so "matches" as redacted. Go's replace-all loop and JavaScript's also step
 * past empty matches differently (src/engine/regex.ts), so such a pattern is refused.
 * `matches` tests are not concerned: `^[a-z]{0,8}$` matching "" is what its author meant.
 */
export const patternMatchesEmpty: PolicyRule = {
  id: 'pattern-matches-empty',
  check(policies, report) {
    for (const { at, tool, pointer } of toolSites(policies)) {
      (tool.sanitize?.patterns ?? []).forEach(({ name, regex }, i) => {
        // regex-not-re2 and regex-invalid report the patterns that do not compile.
        if (!checkRe2(regex).ok || !canMatchEmpty(regex)) return;
        report(
          at,
          `${pointer}/sanitize/patterns/${i}/regex`,
          `pattern \`${name}\` (\`${showPattern(regex)}\`) can match the empty string, so it would write \`[REDACTED]\` where there is nothing to redact`,
          {
            hint: 'make every match at least one character long (`[0-9]+`, not `[0-9]*`; no alternative that is only `^`, `$` or `\\b`)',
          },
        );
      });
    }
  },
};
