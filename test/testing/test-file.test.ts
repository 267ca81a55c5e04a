/**
 * Test files of `aegis test`: the parser (src/testing/test-file.ts) and the schema that editors
 * get (schemas/policy-test.schema.json, `aegis schema test`) take and refuse the same files,
 * apart from what a schema cannot say (two cases of one name, a number that is not finite).
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exampleTests } from '../../src/init/example-tests.js';
import { parseTestFile } from '../../src/testing/test-file.js';

const schema = JSON.parse(
  readFileSync(new URL('../../schemas/policy-test.schema.json', import.meta.url), 'utf8'),
);
const validFile = new Ajv2020({ strict: true, allErrors: true }).compile(schema);

const CASE = '  - name: a\n    input: {agent: {id: x}}\n';

describe('test files', () => {
  it("init's example reads into its cases, and the schema takes it", () => {
    const text = exampleTests('https://example.com/schema.json');
    const parsed = parseTestFile('agents.test.yaml', text);
    expect(parsed.ok && parsed.cases.length).toBe(9);
    expect(validFile(parse(text)), JSON.stringify(validFile.errors)).toBe(true);
  });

  it('keeps each case with its line, name, input and expectation', () => {
    const text = `$schema: ./policy-test.schema.json\ncases:\n${CASE}    expect: {codes: [no_policy, no_policy], allow: false}\n`;
    const parsed = parseTestFile('t.test.yaml', text);
    expect(parsed).toEqual({
      ok: true,
      cases: [
        {
          file: 't.test.yaml',
          line: 3,
          name: 'a',
          input: { agent: { id: 'x' } },
          expect: { codes: ['no_policy', 'no_policy'], allow: false },
        },
      ],
    });
    expect(validFile(parse(text))).toBe(true);
  });

  it.each([
    ['an unknown key at the top', `cases:\n${CASE}    expect: {allow: true}\nsuites: []\n`],
    ['no cases', 'cases: []\n'],
    ['a case without expect', `cases:\n${CASE}`],
    ['a case without input', 'cases:\n  - name: a\n    expect: {allow: true}\n'],
    ['a case without a name', 'cases:\n  - input: {}\n    expect: {allow: true}\n'],
    ['an empty name', `cases:\n  - name: " "\n    input: {}\n    expect: {allow: true}\n`],
    ['an unknown key in a case', `cases:\n${CASE}    expect: {allow: true}\n    skip: true\n`],
    ['an empty expect', `cases:\n${CASE}    expect: {}\n`],
    ['an unknown expect field', `cases:\n${CASE}    expect: {reasons: []}\n`],
    ['an outcome that does not exist', `cases:\n${CASE}    expect: {outcome: denied}\n`],
    ['a reason code that does not exist', `cases:\n${CASE}    expect: {codes: [param_mising]}\n`],
    ['allow as a string', `cases:\n${CASE}    expect: {allow: "true"}\n`],
    ['a mode that does not exist', `cases:\n${CASE}    expect: {mode: audit}\n`],
    ['rules that are not strings', `cases:\n${CASE}    expect: {rules: [1]}\n`],
    [
      'a redaction with a stray key',
      `cases:\n${CASE}    expect: {redactions: [{path: /a, by: path, at: 1}]}\n`,
    ],
  ])('refuses %s, as the schema does', (_what, text) => {
    const parsed = parseTestFile('t.test.yaml', text);
    expect(parsed.ok).toBe(false);
    expect(validFile(parse(text))).toBe(false);
  });

  it.each([
    [
      'two cases of one name',
      `cases:\n${CASE}    expect: {allow: true}\n${CASE}    expect: {allow: true}\n`,
      'two cases are named "a" (the first at line 2)',
    ],
    [
      'an input that is not JSON',
      'cases:\n  - name: a\n    input: {n: .nan}\n    expect: {allow: true}\n',
      'not JSON data',
    ],
    [
      'two documents',
      `cases:\n${CASE}    expect: {allow: true}\n---\ncases: []\n`,
      'one YAML document',
    ],
    [
      'a duplicate key',
      `cases:\n${CASE}    expect: {allow: true, allow: false}\n`,
      'Map keys must be unique',
    ],
    [
      'nesting deeper than the YAML parser goes',
      `cases:\n  - name: a\n    input: ${'['.repeat(5000)}${']'.repeat(5000)}\n    expect: {allow: true}\n`,
      'the YAML nests too deep to be read here',
    ],
  ])('refuses %s, which no schema can say', (_what, text, message) => {
    const parsed = parseTestFile('t.test.yaml', text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.map((p) => p.message).join('\n')).toContain(message);
  });

  // A tag anywhere, even one the yaml library resolves to the value it would read anyway: a
  // test file is plain data, as a policy is (src/policy/explicit-tags.ts).
  it.each([
    [
      'a binary input',
      'cases:\n  - name: a\n    input: !!binary aGVsbG8=\n    expect: {allow: true}\n',
      ['3:12 a YAML tag (`!!binary`) is not allowed'],
    ],
    [
      'a tag inside the input',
      'cases:\n  - name: a\n    input: {agent: {id: !!js/function "x"}}\n    expect: {allow: true}\n',
      ['3:25 a YAML tag (`!!js/function`)'],
    ],
    [
      'a tag that changes a type',
      'cases:\n  - name: a\n    input: {amount: !!int "3"}\n    expect: {allow: true}\n',
      ['3:21 a YAML tag (`!!int`)'],
    ],
    [
      'tags on a name, an expectation and the file, each one',
      '--- !!map\ncases:\n  - name: !x a\n    input: {}\n    expect: {allow: !!bool true}\n',
      ['1:5 a YAML tag (`!!map`)', '3:11 a YAML tag (`!x`)', '5:21 a YAML tag (`!!bool`)'],
    ],
    [
      'a tag beside a YAML error',
      'cases:\n  - name: a\n    input: !!str [x\n',
      ['4:1 Flow sequence', '3:12 a YAML tag (`!!str`)'],
    ],
  ])('refuses %s, where the tag is', (_what, text, expected) => {
    const parsed = parseTestFile('t.test.yaml', text);
    expect(parsed.ok).toBe(false);
    const problems = parsed.ok ? [] : parsed.problems;
    expect(problems.map((p) => p.file)).toEqual(expected.map(() => 't.test.yaml'));
    // `line:column message`, the message as far as the expectation spells it.
    const shown = problems.map((p, i) =>
      `${p.line}:${p.column} ${p.message}`.slice(0, expected[i]?.length),
    );
    expect(shown).toEqual(expected);
    expect(problems[problems.length - 1]?.message).toMatch(
      /is not allowed: a test file is plain data; remove the tag, and quote the value if a string is meant$/,
    );
  });

  it('reads a `!` in quoted strings and plain words as text', () => {
    const text =
      'cases:\n  - name: "Hi!"\n    input: {reason: wait !, regex: "^a!b$", tags: [\'!x\', a!b]}\n    expect: {allow: true}\n';
    const parsed = parseTestFile('t.test.yaml', text);
    expect(parsed.ok && parsed.cases.map((c) => [c.name, c.input])).toEqual([
      ['Hi!', { reason: 'wait !', regex: '^a!b$', tags: ['!x', 'a!b'] }],
    ]);
  });
});
