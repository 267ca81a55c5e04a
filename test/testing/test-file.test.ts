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
});
