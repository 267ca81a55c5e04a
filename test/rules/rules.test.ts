/**
 * The semantic rules, table-driven: each case is policy text and every diagnostic it must
 * yield (`file:line:column code pointer`), nothing more. Valid cases expect an empty list, so
 * a rule that fires where it should not fails too. Messages are checked where their wording
 * carries information (a line number, a name).
 */
import { describe, expect, test } from 'vitest';
import { parseSource } from '../../src/policy/parse.js';
import { RULES } from '../../src/policy/rules/index.js';
import type { AgentPolicy } from '../../src/policy/types.js';
import { checkSources, runRules } from '../../src/policy/validate.js';

const lines = (...l: string[]) => `${l.join('\n')}\n`;
const HEAD = ['agent: a', 'allowed_tools:', '  - name: t'];
/** A policy with one tool `t` (lines 1-3) and then `more`, from line 4. */
const tool = (...more: string[]) => lines(...HEAD, ...more);
/** One rule on tool `t` whose `when` is the given lines (the first at line 7, column 11). */
const when = (...condition: string[]) =>
  tool(
    '    rules:',
    '      - effect: deny',
    '        when:',
    ...condition.map((c) => `          ${c}`),
  );

interface Case {
  name: string;
  /** One file `p.yaml`, or several files. */
  text: string | Record<string, string>;
  expected: string[];
  /** Each must match the message of the diagnostic at the same index. */
  messages?: RegExp[];
}

function sourcesOf(text: Case['text']) {
  const files = typeof text === 'string' ? { 'p.yaml': text } : text;
  return Object.entries(files).map(([file, t]) => ({ file, text: t, kind: 'yaml' as const }));
}

function run(text: Case['text']) {
  return checkSources(sourcesOf(text)).diagnostics;
}

function check({ text, expected, messages = [] }: Case): void {
  const diagnostics = run(text);
  // The validate command lets each policy go once its own checks ran: the same findings.
  const kept = checkSources(sourcesOf(text));
  const released = checkSources(sourcesOf(text), { keepPolicies: false });
  expect({ ...released, loaded: kept.loaded }).toEqual(kept);
  expect(released.loaded).toEqual([]);
  const shown = diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${d.pointer}`);
  expect(shown).toEqual(expected);
  messages.forEach((pattern, i) => {
    expect(diagnostics[i]?.message).toMatch(pattern);
  });
  for (const d of diagnostics) {
    // STYLE: lowercase, no trailing period.
    expect(d.message).not.toMatch(/\.$/);
    expect(d.message[0]).toBe(d.message[0]?.toLowerCase());
  }
}

const cases: Record<string, Case[]> = {
  'duplicate-policy': [
    {
      name: 'the same agent globally and in two tenants is three identities',
      text: {
        'a.yaml': lines('agent: a', 'allowed_tools: []'),
        'b.yaml': lines(
          'agent: a',
          'tenant: x',
          'allowed_tools: []',
          '---',
          'agent: a',
          'tenant: y',
          'allowed_tools: []',
        ),
      },
      expected: [],
    },
    {
      name: 'a second global policy in another file, and a tenant one in the same file',
      text: {
        'a.yaml': lines(
          'agent: a',
          'allowed_tools: []',
          '---',
          'tenant: x',
          'agent: a',
          'allowed_tools: []',
        ),
        'b.yaml': lines(
          'description: again',
          'agent: a',
          'allowed_tools: []',
          '---',
          'agent: a',
          'tenant: x',
          'allowed_tools: []',
        ),
      },
      expected: ['b.yaml:2:8 duplicate-policy /agent', 'b.yaml:5:8 duplicate-policy /agent'],
      messages: [
        /^global policy for agent `a` is already defined at a\.yaml:1$/,
        /^policy for agent `a` in tenant `x` is already defined at a\.yaml:5$/,
      ],
    },
  ],
  'overlapping-actions': [
    {
      name: 'disjoint actions, and the same action on another tool',
      text: tool(
        '    actions: [read]',
        '  - name: t',
        '    actions: [write]',
        '  - name: u',
        '    actions: [read]',
      ),
      expected: [],
    },
    {
      name: 'a shared action is reported at the later entry',
      text: tool('    actions: [read, write]', '  - name: t', '    actions: [list, write]'),
      expected: ['p.yaml:6:21 overlapping-actions /allowed_tools/1/actions/1'],
      messages: [/^action `write` of tool `t` is already allowed by the entry at line 3$/],
    },
    {
      name: 'two wildcard entries (absent actions and ["*"])',
      text: tool('  - name: t', '    actions: ["*"]'),
      expected: ['p.yaml:5:14 overlapping-actions /allowed_tools/1/actions'],
      messages: [/^tool `t` already has an entry for every action at line 3$/],
    },
    {
      name: 'a "*" beside other actions is an action named "*", not a wildcard',
      text: tool('    actions: [read, "*"]', '  - name: t', '    actions: [write]'),
      expected: [],
    },
  ],
  'wildcard-beside-explicit': [
    {
      name: 'a wildcard entry for one tool, explicit entries for another',
      text: tool('  - name: u', '    actions: [read]', '  - name: u', '    actions: [write]'),
      expected: [],
    },
    {
      name: 'a wildcard entry beside an explicit one: the warning only, no overlap error',
      text: tool('  - name: t', '    actions: [read]', '  - name: t', '    actions: [write, read]'),
      expected: [
        'p.yaml:3:11 wildcard-beside-explicit /allowed_tools/0/name',
        'p.yaml:7:22 overlapping-actions /allowed_tools/2/actions/1',
      ],
      messages: [
        /^tool `t` has an entry for every action and explicit entries \(lines 4, 6\); calls to `read`, `write` use/,
      ],
    },
    {
      name: 'two wildcards and an explicit entry: one error, one warning',
      text: tool('    actions: [read]', '  - name: t', '    actions: ["*"]', '  - name: t'),
      expected: [
        'p.yaml:6:14 wildcard-beside-explicit /allowed_tools/1/actions',
        'p.yaml:7:11 overlapping-actions /allowed_tools/2/name',
      ],
    },
  ],
  'regex-not-re2': [
    {
      name: 'RE2 syntax everywhere a regex goes',
      text: tool(
        '    params:',
        '      memo: { matches: "(?i)^[a-z]+\\\\d{2,4}$", not_matches: "\\\\bdrop\\\\b" }',
        '    sanitize:',
        '      patterns: [{ name: mrn, regex: "MRN-[0-9]{8}" }]',
      ),
      expected: [],
    },
    {
      name: 'lookbehind in params, backreference in a when, lookahead in a pattern',
      text: tool(
        '    params:',
        '      memo: { matches: "(?<=a)b" }',
        '    rules:',
        '      - effect: deny',
        '        when: { param: x, not_matches: "(a)\\\\1" }',
        '    sanitize:',
        '      patterns:',
        '        - { name: p, regex: "a(?=b)" }',
      ),
      expected: [
        'p.yaml:5:24 regex-not-re2 /allowed_tools/0/params/memo/matches',
        'p.yaml:8:40 regex-not-re2 /allowed_tools/0/rules/0/when/not_matches',
        'p.yaml:11:29 regex-not-re2 /allowed_tools/0/sanitize/patterns/0/regex',
      ],
      messages: [
        /^regex `\(\?<=a\)b`: lookbehind `\(\?<=` is not supported by RE2$/,
        /^regex `\(a\)\\1`: backreference `\\1` is not supported by RE2$/,
        /^regex `a\(\?=b\)`: lookahead `\(\?=` is not supported by RE2$/,
      ],
    },
    {
      name: 'a possessive quantifier deep in a condition, under a path with a slash',
      text: when('all:', '  - not: { param: a/b, matches: "a++" }'),
      expected: ['p.yaml:8:43 regex-not-re2 /allowed_tools/0/rules/0/when/all/0/not/matches'],
    },
  ],
  'regex-invalid': [
    {
      name: 'escaped metacharacters and RE2-only syntax compile',
      text: tool(
        '    params:',
        "      a: { matches: '\\(x\\)\\[y\\]', not_matches: '(?P<n>\\pL+)\\Q.*\\E' }",
      ),
      expected: [],
    },
    {
      name: 'an unclosed group in params, under a dotted path',
      text: tool('    params:', '      recipient.name: { matches: "(abc" }'),
      expected: ['p.yaml:5:34 regex-invalid /allowed_tools/0/params/recipient.name/matches'],
      messages: [/^regex `\(abc` does not compile: missing closing `\)` in `\(abc`$/],
    },
    {
      name: 'a reversed repeat count in a pattern',
      text: tool('    sanitize:', '      patterns: [{ name: p, regex: "a{3,2}" }]'),
      expected: ['p.yaml:5:36 regex-invalid /allowed_tools/0/sanitize/patterns/0/regex'],
    },
  ],
  'pattern-matches-empty': [
    {
      name: 'patterns whose matches are never empty, and tests that may match the empty string',
      text: tool(
        '    params:',
        "      memo: { matches: '^[a-z]{0,8}$', not_matches: 'x*' }",
        '    sanitize:',
        "      patterns: [{ name: p, regex: '\\bMRN-[0-9]+\\b' }, { name: q, regex: '(?m)^#.*' }]",
      ),
      expected: [],
    },
    {
      name: 'a pattern that matches empty only at word boundaries, and one only at the end',
      text: tool(
        '    sanitize:',
        "      patterns: [{ name: p, regex: 'MRN-[0-9]{8}|\\b' }, { name: q, regex: '$|x' }]",
      ),
      expected: [
        'p.yaml:5:36 pattern-matches-empty /allowed_tools/0/sanitize/patterns/0/regex',
        'p.yaml:5:75 pattern-matches-empty /allowed_tools/0/sanitize/patterns/1/regex',
      ],
      messages: [
        /^pattern `p` \(`MRN-\[0-9\]\{8\}\|\\b`\) can match the empty string, so it would write `\[REDACTED\]` where there is nothing to redact$/,
      ],
    },
    {
      name: 'a pattern that does not compile is left to regex-invalid',
      text: tool('    sanitize:', '      patterns: [{ name: p, regex: "(a*" }]'),
      expected: ['p.yaml:5:36 regex-invalid /allowed_tools/0/sanitize/patterns/0/regex'],
    },
  ],
  'unknown-timezone': [
    {
      name: 'canonical, legacy and default zones',
      text: when(
        'any:',
        '  - time: { days: [mon], tz: America/New_York }',
        '  - time: { days: [tue], tz: US/Eastern }',
        '  - time: { days: [wed], tz: Asia/Kolkata }',
        '  - time: { days: [thu], tz: UTC }',
        '  - time: { days: [fri] }',
      ),
      expected: [],
    },
    {
      name: 'a typo, a wrong case and Go\'s machine-dependent "Local"',
      text: when(
        'any:',
        '  - time: { days: [mon], tz: America/New_Yrok }',
        '  - time: { days: [tue], tz: us/eastern }',
        '  - time: { days: [wed], tz: Local }',
      ),
      expected: [
        'p.yaml:8:40 unknown-timezone /allowed_tools/0/rules/0/when/any/0/time/tz',
        'p.yaml:9:40 unknown-timezone /allowed_tools/0/rules/0/when/any/1/time/tz',
        'p.yaml:10:40 unknown-timezone /allowed_tools/0/rules/0/when/any/2/time/tz',
      ],
      messages: [
        /^unknown time zone `America\/New_Yrok`$/,
        /^unknown time zone `us\/eastern`$/,
        /Local/,
      ],
    },
  ],
  'malformed-hours': [
    {
      name: 'a day, an evening to midnight, and a window that wraps midnight',
      text: when(
        'any:',
        '  - time: { hours: "09:00-17:00" }',
        '  - time: { hours: "18:00-24:00" }',
        '  - time: { hours: "22:00-06:00" }',
        '  - time: { hours: "00:00-23:59" }',
      ),
      expected: [],
    },
    {
      name: 'one-digit hours, 24:00 as a start, minute 60, and an empty window',
      text: when(
        'any:',
        '  - time: { hours: "9:00-17:00" }',
        '  - time: { hours: "24:00-06:00" }',
        '  - time: { hours: "10:00-10:60" }',
        '  - time: { hours: "08:00-08:00" }',
      ),
      expected: [
        'p.yaml:8:30 malformed-hours /allowed_tools/0/rules/0/when/any/0/time/hours',
        'p.yaml:9:30 malformed-hours /allowed_tools/0/rules/0/when/any/1/time/hours',
        'p.yaml:10:30 malformed-hours /allowed_tools/0/rules/0/when/any/2/time/hours',
        'p.yaml:11:30 malformed-hours /allowed_tools/0/rules/0/when/any/3/time/hours',
      ],
      messages: [
        /must be `HH:MM-HH:MM`/,
        /start `24:00`/,
        /end `10:60`/,
        /^`hours` `08:00-08:00` is an empty window$/,
      ],
    },
  ],
  'min-over-max': [
    {
      name: 'equal bounds allow exactly one amount',
      text: tool('    conditions: { min_amount: 5, max_amount: 5 }'),
      expected: [],
    },
    {
      name: 'min above max',
      text: tool('    conditions: { min_amount: 10, max_amount: 5 }'),
      expected: ['p.yaml:4:31 min-over-max /allowed_tools/0/conditions/min_amount'],
      messages: [/^`min_amount` 10 is greater than `max_amount` 5: every call is denied$/],
    },
  ],
  'unreachable-approval': [
    {
      name: 'approval below the maximum',
      text: tool('    conditions: { max_amount: 5000, approval_needed_over: 4999.99 }'),
      expected: [],
    },
    {
      name: 'approval at the maximum',
      text: tool('    conditions: { max_amount: 5000, approval_needed_over: 5000 }'),
      expected: [
        'p.yaml:4:59 unreachable-approval /allowed_tools/0/conditions/approval_needed_over',
      ],
    },
  ],
  'sanitize-without-redact': [
    {
      name: 'a sanitize rule with paths',
      text: when('param: x', 'eq: 1').replace(
        'effect: deny',
        'effect: sanitize\n        redact: [x]',
      ),
      expected: [],
    },
    {
      name: 'no redact (at the effect) and an empty redact (at the list)',
      text: tool(
        '    rules:',
        '      - { effect: sanitize, when: { param: x, eq: 1 } }',
        '      - { id: r, effect: sanitize, redact: [], when: { param: x, eq: 2 } }',
      ),
      expected: [
        'p.yaml:5:19 sanitize-without-redact /allowed_tools/0/rules/0/effect',
        'p.yaml:6:44 sanitize-without-redact /allowed_tools/0/rules/1/redact',
      ],
      messages: [
        /^rule 0 of tool `t` has `effect: sanitize` but nothing to `redact`$/,
        /^rule `r` has/,
      ],
    },
  ],
  'redact-without-sanitize': [
    {
      name: 'redact on a sanitize rule',
      text: tool(
        '    rules:',
        '      - { effect: sanitize, redact: [x], when: { param: x, eq: 1 } }',
      ),
      expected: [],
    },
    {
      name: 'redact on an approval rule, pointed at the key',
      text: tool(
        '    rules:',
        '      - { effect: approval_needed, redact: [x], when: { param: x, eq: 1 } }',
      ),
      expected: ['p.yaml:5:36 redact-without-sanitize /allowed_tools/0/rules/0/redact'],
      messages: [/its effect is `approval_needed`, so nothing is redacted$/],
    },
  ],
  'unknown-detector': [
    {
      name: 'built-in detectors',
      text: tool('    sanitize:', '      detectors: [ssn, email, credit_card]'),
      expected: [],
    },
  ],
  'invalid-condition': [
    {
      name: 'every kind, well formed',
      text: when(
        'all:',
        '  - { param: amount, gt: 1 }',
        '  - { field: context.region, eq: eu }',
        '  - time: { days: [sat] }',
        '  - any: [{ param: a, eq: 1 }]',
        '  - not: { param: b, eq: 2 }',
      ),
      expected: [],
    },
    {
      name: 'no kind, two kinds, no operator, an operator beside `all`',
      text: when(
        'any:',
        '  - { eq: 1 }',
        '  - { param: a, field: b, eq: 1 }',
        '  - { param: a }',
        '  - { all: [{ param: a, eq: 1 }], ne: 2 }',
      ),
      expected: [
        'p.yaml:8:15 invalid-condition /allowed_tools/0/rules/0/when/any/0',
        'p.yaml:9:27 invalid-condition /allowed_tools/0/rules/0/when/any/1/field',
        'p.yaml:10:24 invalid-condition /allowed_tools/0/rules/0/when/any/2/param',
        'p.yaml:11:45 invalid-condition /allowed_tools/0/rules/0/when/any/3/ne',
      ],
      messages: [
        /^condition has none of `param`, `field`, `time`, `all`, `any` or `not`$/,
        /^condition has both `param` and `field`/,
        /^`param` test on `a` has no operator$/,
        /^operator `ne` does not apply to an `all` condition$/,
      ],
    },
  ],
  'operator-type-mismatch': [
    {
      name: 'operators of compatible types',
      text: tool(
        '    params:',
        '      a: { type: string, prefix: x, max_length: 9, contains: y }',
        '      b: { type: array, contains: { k: 1 }, min_length: 1 }',
        '      c: { type: integer, gte: 1, in: [1, 2, 3] }',
      ),
      expected: [],
    },
    {
      name: 'a string operator on a number, and ordering with a prefix',
      text: tool(
        '    params:',
        '      a: { type: number, matches: "^1" }',
        '      b: { gt: 1, prefix: x }',
      ),
      expected: [
        'p.yaml:5:35 operator-type-mismatch /allowed_tools/0/params/a/matches',
        'p.yaml:6:27 operator-type-mismatch /allowed_tools/0/params/b/prefix',
      ],
      messages: [
        /^parameter `a`: no value satisfies both `type: number` \(numbers only\) and `matches` \(strings only\), so every call is denied$/,
        /`gt` \(numbers only\) and `prefix` \(strings only\)/,
      ],
    },
  ],
  'empty-range': [
    {
      name: 'a single value and a touching range are not empty',
      text: tool(
        '    params:',
        '      a: { gte: 5, lte: 5 }',
        '      b: { min_length: 3, max_length: 3 }',
      ),
      expected: [],
    },
    {
      name: 'crossed bounds, no integer between, lengths, in: [], eq ruled out',
      text: tool(
        '    params:',
        '      a: { gte: 10, lte: 5 }',
        '      b: { type: integer, gt: 1, lt: 2 }',
        '      c: { max_length: 2, min_length: 3 }',
        '      d: { in: [], optional: true }',
        '      e: { in: [1, 2], gt: 5 }',
      ),
      expected: [
        'p.yaml:5:26 empty-range /allowed_tools/0/params/a/lte',
        'p.yaml:6:38 empty-range /allowed_tools/0/params/b/lt',
        'p.yaml:7:39 empty-range /allowed_tools/0/params/c/min_length',
        'p.yaml:8:16 empty-range /allowed_tools/0/params/d/in',
        'p.yaml:9:28 empty-range /allowed_tools/0/params/e/gt',
      ],
      messages: [
        /^parameter `a`: no number is at least 10 and at most 5, so every call is denied$/,
        /no integer is greater than 1 and less than 2/,
        /`min_length` 3 is greater than `max_length` 2/,
        /^parameter `d`: `in` is an empty list, so every call that has it is denied$/,
        /`gt: 5` rules out every value listed in `in`/,
      ],
    },
  ],
  'effect-already-implied': [
    {
      name: 'a rule stricter than the checks it overlaps, and a sanitize rule (never judged)',
      text: tool(
        '    conditions: { max_amount: 5000, approval_needed_over: 1000 }',
        '    params: { x: { lte: 10 } }',
        '    rules:',
        '      - { effect: deny, when: { param: amount, gt: 3000 } }',
        '      - { effect: deny, when: { param: x, gt: 5 } }',
        '      - { effect: sanitize, redact: [x], when: { param: x, gt: 10 } }',
        '      - { effect: deny, when: { any: [{ param: x, gt: 10 }, { param: x, lt: 0 }] } }',
      ),
      expected: [],
    },
    {
      name: 'implied by a params constraint, by max_amount, by approval_needed_over',
      text: tool(
        '    conditions: { max_amount: 5000, approval_needed_over: 1000 }',
        '    params: { x: { lte: 10 } }',
        '    rules:',
        '      - { effect: deny, when: { param: x, gt: 10 } }',
        '      - { id: huge, effect: deny, when: { field: params.amount, gte: 5000.5 } }',
        '      - { effect: approval_needed, when: { all: [{ param: y, eq: 1 }, { param: amount, gt: 1000 }] } }',
        '      - { effect: deny, when: { param: amount, gt: 1000 } }',
      ),
      expected: [
        'p.yaml:7:19 effect-already-implied /allowed_tools/0/rules/0/effect',
        'p.yaml:8:29 effect-already-implied /allowed_tools/0/rules/1/effect',
        'p.yaml:9:19 effect-already-implied /allowed_tools/0/rules/2/effect',
      ],
      messages: [
        /^rule 0 of tool `t`: its effect `deny` is already implied: whenever its condition holds, the `params` constraint on `x` denies the call$/,
        /^rule `huge`: .* `max_amount` denies the call$/,
        /^rule 2 of tool `t`: its effect `approval_needed` .* `approval_needed_over` asks for approval$/,
      ],
    },
    {
      name: 'every branch of an any, and a test of the wrong type for the amount',
      text: tool(
        '    conditions: { amount_param: total, min_amount: 1 }',
        '    params: { x: { in: [a, b] } }',
        '    rules:',
        '      - { effect: deny, when: { any: [{ param: x, eq: c }, { param: x, prefix: z }] } }',
        '      - { effect: approval_needed, when: { param: total, matches: "^[0-9]+$" } }',
      ),
      expected: [
        'p.yaml:7:19 effect-already-implied /allowed_tools/0/rules/0/effect',
        'p.yaml:8:19 effect-already-implied /allowed_tools/0/rules/1/effect',
      ],
      messages: [/`x` denies/, /`conditions` \(the amount must be a number\) denies the call$/],
    },
  ],
  'condition-never-holds': [
    {
      name: 'bounds that meet, split across an `any`',
      text: when('any:', '  - { param: a, lt: 3 }', '  - { param: a, gt: 5 }'),
      expected: [],
    },
    {
      name: 'any: [] is refused by the schema before the rules see it',
      text: when('any: []'),
      expected: ['p.yaml:7:16 invalid-value /allowed_tools/0/rules/0/when/any'],
    },
    {
      name: 'days: [] is an error of the schema, not a warning: a deny rule that never fires is a hole',
      text: when('time: { days: [], hours: "09:00-17:00" }'),
      expected: ['p.yaml:7:25 invalid-value /allowed_tools/0/rules/0/when/time/days'],
      messages: [/^`days` must list at least one item$/],
    },
    {
      name: 'in: [] and crossed bounds in one test',
      text: when(
        'any:',
        '  - { field: agent.claims.team, in: [] }',
        '  - { param: a, gt: 5, lt: 3 }',
      ),
      expected: [
        'p.yaml:8:47 condition-never-holds /allowed_tools/0/rules/0/when/any/0/in',
        'p.yaml:9:38 condition-never-holds /allowed_tools/0/rules/0/when/any/1/lt',
      ],
      messages: [/^the test on field `agent\.claims\.team` never holds: `in` is an empty list/],
    },
    {
      name: 'contradictory tests on one path inside one `all` (param and field params.*)',
      text: when(
        'all:',
        '  - { param: a, gt: 5 }',
        '  - { param: b, eq: x }',
        '  - { field: params.a, lte: 5 }',
      ),
      expected: ['p.yaml:10:39 condition-never-holds /allowed_tools/0/rules/0/when/all/2/lte'],
      messages: [
        /^the tests on parameter `a` in this `all` never hold together: no number is greater than 5 and at most 5$/,
      ],
    },
    {
      name: 'a type clash in a when is a warning here, not operator-type-mismatch',
      text: when('param: a', 'type: boolean', 'min_length: 1'),
      expected: ['p.yaml:9:23 condition-never-holds /allowed_tools/0/rules/0/when/min_length'],
    },
  ],
  'bare-wildcard-egress': [
    {
      name: 'hosts and subdomain patterns',
      text: lines(
        'agent: a',
        'allowed_tools: []',
        'egress:',
        '  allow: [api.example.com, "*.example.com"]',
      ),
      expected: [],
    },
    {
      name: 'a bare `*`',
      text: lines('agent: a', 'allowed_tools: []', 'egress:', '  allow: [api.example.com, "*"]'),
      expected: ['p.yaml:4:28 bare-wildcard-egress /egress/allow/1'],
      messages: [/^egress pattern `\*` allows every host$/],
    },
  ],
  'shared-rule-ids': [
    {
      name: 'names with slashes that spell different prefixes',
      text: {
        'a.yaml': lines('tenant: a/b', 'agent: c', 'allowed_tools: []'),
        'b.yaml': lines(
          'tenant: a',
          'agent: b/d',
          'allowed_tools: []',
          '---',
          'agent: _',
          'allowed_tools: []',
        ),
      },
      expected: [],
    },
    {
      name: 'tenant a/b with agent c beside tenant a with agent b/c, tenant _ beside a global policy; one identity twice is only duplicate-policy',
      text: {
        'a.yaml': lines(
          'tenant: a/b',
          'agent: c',
          'allowed_tools: []',
          '---',
          'agent: x',
          'allowed_tools: []',
        ),
        'b.yaml': lines(
          'tenant: a',
          'agent: b/c',
          'allowed_tools: []',
          '---',
          'tenant: _',
          'agent: x',
          'allowed_tools: []',
        ),
        'c.yaml': lines('tenant: a/b', 'agent: c', 'allowed_tools: []'),
      },
      expected: [
        'b.yaml:2:8 shared-rule-ids /agent',
        'b.yaml:6:8 shared-rule-ids /agent',
        'c.yaml:2:8 duplicate-policy /agent',
      ],
      messages: [
        /^this policy's rule ids begin `a\/b\/c\/`, as those of the policy for agent `c` in tenant `a\/b` at a\.yaml:2 do: simulation reports count their reasons together$/,
        /^this policy's rule ids begin `_\/x\/`, as those of the global policy for agent `x` at a\.yaml:5 do/,
        /^policy for agent `c` in tenant `a\/b` is already defined at a\.yaml:2$/,
      ],
    },
  ],
  'egress-pattern-not-a-host': [
    {
      name: 'hosts, subdomain wildcards, a port, any case',
      text: lines(
        'agent: a',
        'allowed_tools: []',
        'egress:',
        '  allow: [api.stripe.com, "*.slack.com", "hooks.example.com:8443", API.Example.COM]',
      ),
      expected: [],
    },
    {
      name: 'a URL, a path, whitespace and a wildcard inside a label',
      text: lines(
        'agent: a',
        'allowed_tools: []',
        'egress:',
        '  allow:',
        '    - https://user@api.stripe.com:443/v1',
        '    - api.stripe.com/v1/charges',
        '    - "api.example.com "',
        '    - "*.*.example.com"',
        '    - "pay*.example.com"',
      ),
      expected: [
        'p.yaml:5:7 egress-pattern-not-a-host /egress/allow/0',
        'p.yaml:6:7 egress-pattern-not-a-host /egress/allow/1',
        'p.yaml:7:7 egress-pattern-not-a-host /egress/allow/2',
        'p.yaml:8:7 egress-pattern-not-a-host /egress/allow/3',
        'p.yaml:9:7 egress-pattern-not-a-host /egress/allow/4',
      ],
      messages: [
        /^egress pattern `https:\/\/user@api\.stripe\.com:443\/v1` is a URL; calls are matched on their host alone, so it allows none$/,
        /^egress pattern `api\.stripe\.com\/v1\/charges` has a path/,
        /^egress pattern `api\.example\.com ` has whitespace in it/,
        /^egress pattern `\*\.\*\.example\.com` has a `\*` that matches only itself/,
        /^egress pattern `pay\*\.example\.com` has a `\*` that matches only itself/,
      ],
    },
  ],
  'yaml-truthy-string': [
    {
      // A tagged word (`!!str on`) is refused before the rules run: yaml-tag, below.
      name: 'quoted or anchored words, other words, booleans, and yes where no call value is compared',
      text: lines(
        'agent: a',
        'allowed_tools:',
        '  - name: t',
        '    params:',
        '      a: { eq: "yes" }',
        "      b: { in: ['no', y, n, true, false] }",
        '      c: { eq: "on", optional: true }',
        '      d: { ne: &flag off, optional: true }',
        '      e: { eq: *flag, optional: true }',
        '      f: { matches: yes, optional: true }',
        '    rules:',
        '      - id: yes',
        '        when: { param: g, eq: "off" }',
        '        effect: deny',
      ),
      expected: [],
    },
    {
      name: 'bare yes, no, on and off as operands: params and conditions, lists, any case',
      text: lines(
        'agent: a',
        'allowed_tools:',
        '  - name: t',
        '    params:',
        '      approved: { eq: yes }',
        '      dry_run: { ne: No, optional: true }',
        '      mode: { in: [auto, on], optional: true }',
        '    rules:',
        '      - when: { not: { param: flag, not_in: [OFF] } }',
        '        effect: deny',
        '      - when: { field: agent.claims.tags, contains: no }',
        '        effect: approval_needed',
      ),
      expected: [
        'p.yaml:5:23 yaml-truthy-string /allowed_tools/0/params/approved/eq',
        'p.yaml:6:22 yaml-truthy-string /allowed_tools/0/params/dry_run/ne',
        'p.yaml:7:26 yaml-truthy-string /allowed_tools/0/params/mode/in/1',
        'p.yaml:9:46 yaml-truthy-string /allowed_tools/0/rules/0/when/not/not_in/0',
        'p.yaml:11:53 yaml-truthy-string /allowed_tools/0/rules/1/when/contains',
      ],
      messages: [
        /^`yes` is the string "yes" here, not true \(aegis reads YAML 1\.2\)$/,
        /^`No` is the string "No" here, not false/,
        /^`on` is the string "on" here, not true/,
        /^`OFF` is the string "OFF" here, not false/,
        /^`no` is the string "no" here, not false/,
      ],
    },
  ],
  // Not a rule (parsing refuses the tag, and the document never reaches the schema or the
  // rules), but a `!` that is no tag must reach them as the text it is.
  'yaml-tag': [
    {
      name: 'a `!` in quoted strings, a regex and a plain word is text',
      text: tool(
        '    params:',
        '      q: { matches: "^a!b$" }',
        '      r: { ne: "Hi!", optional: true }',
        "      s: { in: ['!x', 'y !z', wait!], optional: true }",
        '    rules:',
        '      - id: bang',
        '        when: { param: q, matches: "(?!x)" }',
        '        effect: deny',
        '        reason: wait !',
      ),
      expected: ['p.yaml:10:36 regex-not-re2 /allowed_tools/0/rules/0/when/matches'],
    },
    {
      name: 'tags anywhere: on the agent, a tenant, an operand, a list, each one',
      text: {
        'p.yaml': lines(
          'agent: !!js/function "function(){}"',
          'tenant: !foo x',
          'allowed_tools:',
          '  - name: t',
          '    params:',
          '      a: { eq: !!str on }',
          '      b: { in: !!seq [!!int "3"] }',
        ),
        'q.yaml': lines(
          'agent: !!float 3',
          'allowed_tools: []',
          '---',
          'agent: ok',
          'allowed_tools: []',
        ),
      },
      expected: [
        'p.yaml:1:8 yaml-tag ',
        'p.yaml:2:9 yaml-tag ',
        'p.yaml:6:16 yaml-tag ',
        'p.yaml:7:16 yaml-tag ',
        'p.yaml:7:23 yaml-tag ',
        'q.yaml:1:8 yaml-tag ',
      ],
      messages: [
        /^a YAML tag \(`!!js\/function`\) is not allowed: a policy is plain data$/,
        /^a YAML tag \(`!foo`\)/,
        /^a YAML tag \(`!!str`\)/,
        /^a YAML tag \(`!!seq`\)/,
        /^a YAML tag \(`!!int`\)/,
        /^a YAML tag \(`!!float`\)/,
      ],
    },
  ],
};

describe.each(Object.entries(cases))('%s', (_code, list) => {
  test.each(list.map((c) => [c.name, c] as const))('%s', (_name, c) => check(c));
});

test('every registered rule has a valid and an invalid case here', () => {
  for (const { id } of RULES) {
    const list = cases[id] ?? [];
    expect(
      list.some((c) => c.expected.length === 0),
      `${id}: a valid case`,
    ).toBe(true);
    // unknown-detector cannot get past the schema's enum; it is tested directly below.
    const invalid = list.some((c) => c.expected.some((e) => e.split(' ')[1] === id));
    expect(invalid, `${id}: an invalid case`).toBe(id !== 'unknown-detector');
  }
});

describe('unknown-detector', () => {
  const text = tool('    sanitize:', '      detectors: [ssn, emial, mrn]');

  test('the schema refuses an unknown detector before the rules run', () => {
    expect(run(text).map((d) => d.pointer)).toEqual([
      '/allowed_tools/0/sanitize/detectors/1',
      '/allowed_tools/0/sanitize/detectors/2',
    ]);
    // checkSources hands the rules only documents that passed the schema.
    expect(checkSources([{ file: 'p.yaml', text, kind: 'yaml' }]).loaded).toEqual([]);
  });

  test('the rule reports each unknown detector when handed such a policy', () => {
    const [doc] = parseSource('p.yaml', text, 'yaml').documents;
    if (!doc) throw new Error('no document');
    const diagnostics = runRules([{ source: doc, policy: doc.value as AgentPolicy }]);
    expect(
      diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.pointer} ${d.hint}`),
    ).toEqual([
      '5:24 unknown-detector /allowed_tools/0/sanitize/detectors/1 did you mean `email`?',
      '5:31 unknown-detector /allowed_tools/0/sanitize/detectors/2 built-in detectors: ssn, email, credit_card, phone, dob, iban, ipv4, aws_access_key; use `patterns` for your own',
    ]);
  });
});

describe('egress-pattern-not-a-host hints', () => {
  test('name the host to write: no scheme, user, port or path; no whitespace', () => {
    const text = lines(
      'agent: a',
      'allowed_tools: []',
      'egress:',
      '  allow: ["https://user@api.stripe.com:443/v1", "api.stripe.com/v1", " x.com", "ftp://"]',
    );
    expect(
      run(text)
        .filter((d) => d.code === 'egress-pattern-not-a-host')
        .map((d) => d.hint),
    ).toEqual([
      'write the host: api.stripe.com',
      'write the host: api.stripe.com',
      'write it without: x.com',
      'write the host the agent calls',
    ]);
  });
});
