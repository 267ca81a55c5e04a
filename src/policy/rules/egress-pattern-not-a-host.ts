import type { PolicyRule } from './rule.js';

/**
 * An egress pattern that is not a host name, so that no `egress.host` of a call matches it
 * and calls the author meant to allow are denied (`egress_denied`): a URL
 * (`https://api.stripe.com`), a host with a path, whitespace, or a `*` anywhere but as the
 * whole first label (`*.example.com`) or the whole pattern (POLICY-LANGUAGE.md section 4,
 * step 4: a pattern is a host or `*.` and a domain, compared whole).
 */
export const egressPatternNotAHost: PolicyRule = {
  id: 'egress-pattern-not-a-host',
  check(policies, report) {
    for (const at of policies) {
      (at.policy.egress?.allow ?? []).forEach((pattern, i) => {
        const problem = problemOf(pattern);
        if (!problem) return;
        report(at, `/egress/allow/${i}`, `egress pattern \`${pattern}\` ${problem.what}`, {
          hint: problem.hint,
        });
      });
    }
  },
};

function problemOf(pattern: string): { what: string; hint: string } | undefined {
  const url = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(pattern);
  if (url) {
    const host = (url[1] ?? '').replace(/^[^@]*@/, '').replace(/:\d+$/, '');
    return {
      what: 'is a URL; calls are matched on their host alone, so it allows none',
      hint: host ? `write the host: ${host}` : 'write the host the agent calls',
    };
  }
  if (/\s/.test(pattern)) {
    return {
      what: 'has whitespace in it, which no host has',
      hint: `write it without: ${pattern.replace(/\s+/g, '')}`,
    };
  }
  const slash = pattern.indexOf('/');
  if (slash >= 0) {
    return {
      what: 'has a path; calls are matched on their host alone, so it allows none',
      hint: `write the host: ${pattern.slice(0, slash)}`,
    };
  }
  if (pattern !== '*' && pattern.lastIndexOf('*') > (pattern.startsWith('*.') ? 0 : -1)) {
    return {
      what: 'has a `*` that matches only itself: a wildcard is the whole first label or the whole pattern',
      hint: 'write `*.example.com` for every subdomain of example.com, or list the hosts',
    };
  }
  return undefined;
}
