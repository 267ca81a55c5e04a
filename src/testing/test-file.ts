/**
 * `aegis test`'s test files (`*.test.yaml`): cases of a decision input and the decision fields
 * expected for it (the README section on `aegis test`; schemas/policy-test.schema.json). This
 * module reads one file's text into cases, or into problems with their line and column: a test
 * file that does not say what its author meant must not pass or fail quietly, so anything
 * unexpected is a problem (an unknown key, a reason code that does not exist, two cases of one
 * name).
 */
import type { Document, Node as YamlNode } from 'yaml';
import { REASON_CODES } from '../engine/decision.js';
import { isJsonData, type Json } from '../engine/json.js';
import { explicitTags } from '../policy/explicit-tags.js';
import { yaml as yamlLibrary } from '../policy/parse.js';
import { OUTCOMES } from '../simulator/report.js';

/** The decision fields a case can expect (check-case.ts compares them). */
export interface Expectation {
  decision?: string;
  outcome?: string;
  allow?: boolean;
  mode?: 'enforce' | 'shadow';
  /** The codes of the reasons, as a multiset (order does not matter). */
  codes?: string[];
  /** The rule ids of the reasons, as a set. */
  rules?: string[];
  redactions?: { path: string; by: string }[];
  params?: Json;
}

export interface TestCase {
  file: string;
  /** 1-based, where the case starts. */
  line: number;
  name: string;
  input: Json;
  expect: Expectation;
}

export interface TestFileProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export type TestFileResult =
  | { ok: true; cases: TestCase[] }
  | { ok: false; problems: TestFileProblem[] };

const CASE_KEYS = new Set(['name', 'input', 'expect']);
const EXPECT_KEYS = [
  'decision',
  'outcome',
  'allow',
  'mode',
  'codes',
  'rules',
  'redactions',
  'params',
] as const;
const DECISIONS: readonly string[] = OUTCOMES;
const CODES: readonly string[] = REASON_CODES;

export function parseTestFile(file: string, text: string): TestFileResult {
  const yaml = yamlLibrary();
  const lineCounter = new yaml.LineCounter();
  const problems: TestFileProblem[] = [];
  const at = (node: YamlNode | null | undefined, message: string) => {
    const { line, col } = lineCounter.linePos(node?.range?.[0] ?? 0);
    problems.push({ file, line, column: col, message });
  };
  const atOffset = (offset: number, message: string) => {
    const { line, col } = lineCounter.linePos(offset);
    problems.push({ file, line, column: col, message });
  };
  // parseAllDocuments in two steps, to keep the CST, where the tags are.
  const tokens = Array.from(new yaml.Parser(lineCounter.addNewLine).parse(text));
  const docs = Array.from(
    new yaml.Composer({ uniqueKeys: true }).compose(tokens),
  ) as Document.Parsed[];
  if (docs.length === 0) {
    at(undefined, 'the test file is empty; it needs `cases:`');
    return { ok: false, problems };
  }
  if (docs.length !== 1) {
    at(docs[1]?.contents, 'a test file holds one YAML document');
    return { ok: false, problems };
  }
  const doc = docs[0] as Document.Parsed;
  for (const error of doc.errors) {
    // The yaml library stops at a depth of several hundred levels (its stack runs out there).
    const message =
      error.code === 'RESOURCE_EXHAUSTION'
        ? 'the YAML nests too deep to be read here'
        : firstLine(error.message);
    atOffset(error.pos[0], message);
  }
  // As in a policy (explicit-tags.ts): a tag would make an input that is not what it says.
  // One the library already reports as an error ("Unexpected tag") is reported once.
  const tags = explicitTags(tokens.find((t) => t.type === 'document'));
  for (const tag of tags.filter((t) => !doc.errors.some((e) => e.pos[0] === t.offset))) {
    atOffset(
      tag.offset,
      `a YAML tag (\`${tag.source}\`) is not allowed: a test file is plain data; remove the tag, and quote the value if a string is meant`,
    );
  }
  if (problems.length > 0) return { ok: false, problems };

  const root = doc.contents;
  if (!yaml.isMap(root)) {
    at(root, 'a test file is a mapping with `cases:`, a list of cases');
    return { ok: false, problems };
  }
  for (const pair of root.items) {
    const key = yaml.isScalar(pair.key) ? pair.key.value : undefined;
    // `$schema`: for editors (schemas/policy-test.schema.json), as in a policy.
    if (key === '$schema' && yaml.isScalar(pair.value) && typeof pair.value.value === 'string')
      continue;
    if (key !== 'cases')
      at(pair.key as YamlNode, `unknown key \`${String(key)}\`; a test file has \`cases:\``);
  }
  const list = root.get('cases', true);
  if (!yaml.isSeq(list) || list.items.length === 0) {
    at(list ?? root, '`cases:` must be a list of at least one case');
    return { ok: false, problems };
  }

  const cases: TestCase[] = [];
  const names = new Map<string, number>();
  for (const item of list.items) {
    const node = item as YamlNode;
    if (!yaml.isMap(node)) {
      at(node, 'a case is a mapping with `name`, `input` and `expect`');
      continue;
    }
    const line = lineCounter.linePos(node.range?.[0] ?? 0).line;
    for (const pair of node.items) {
      const key = yaml.isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof key !== 'string' || !CASE_KEYS.has(key))
        at(
          pair.key as YamlNode,
          `unknown key \`${String(key)}\` in a case; a case has name, input and expect`,
        );
    }
    const name = node.get('name');
    if (typeof name !== 'string' || name.trim() === '') {
      at(node.get('name', true) ?? node, 'a case needs a `name` (a non-empty string)');
      continue;
    }
    const earlier = names.get(name);
    if (earlier !== undefined)
      at(node, `two cases are named "${name}" (the first at line ${earlier})`);
    names.set(name, line);
    if (!node.has('input')) {
      at(node, `case "${name}" has no \`input\` (the decision input)`);
      continue;
    }
    const input = (node.get('input', true) as YamlNode).toJSON() as unknown;
    if (!isJsonData(input)) {
      at(
        node.get('input', true) as YamlNode,
        `case "${name}": the input is not JSON data (a number that is not finite?)`,
      );
      continue;
    }
    const expectNode = node.get('expect', true) as YamlNode | undefined;
    if (!expectNode) {
      at(node, `case "${name}" has no \`expect\` (the decision fields expected)`);
      continue;
    }
    const expect = readExpectation(yaml, expectNode, name, at);
    if (expect) cases.push({ file, line, name, input: input as Json, expect });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, cases };
}

function readExpectation(
  yaml: typeof import('yaml'),
  node: YamlNode,
  name: string,
  at: (node: YamlNode | null | undefined, message: string) => void,
): Expectation | undefined {
  if (!yaml.isMap(node) || node.items.length === 0) {
    at(node, `case "${name}" needs \`expect:\` with at least one of ${EXPECT_KEYS.join(', ')}`);
    return undefined;
  }
  const expect: Expectation = {};
  let ok = true;
  const bad = (field: string, message: string) => {
    at(
      (node.get(field, true) as YamlNode | undefined) ?? node,
      `case "${name}": expect.${field} ${message}`,
    );
    ok = false;
  };
  for (const pair of node.items) {
    const key = yaml.isScalar(pair.key) ? pair.key.value : undefined;
    if (typeof key !== 'string' || !(EXPECT_KEYS as readonly string[]).includes(key)) {
      at(
        pair.key as YamlNode,
        `unknown key \`${String(key)}\` in expect; one of ${EXPECT_KEYS.join(', ')}`,
      );
      ok = false;
    }
  }
  const value = (field: string): unknown => {
    const child = node.get(field, true) as YamlNode | undefined;
    return child === undefined ? undefined : child.toJSON();
  };
  for (const field of ['decision', 'outcome'] as const) {
    const v = value(field);
    if (v === undefined) continue;
    if (typeof v === 'string' && DECISIONS.includes(v)) expect[field] = v;
    else bad(field, `must be one of ${DECISIONS.join(', ')}`);
  }
  const allow = value('allow');
  if (allow !== undefined) {
    if (typeof allow === 'boolean') expect.allow = allow;
    else bad('allow', 'must be true or false');
  }
  const mode = value('mode');
  if (mode !== undefined) {
    if (mode === 'enforce' || mode === 'shadow') expect.mode = mode;
    else bad('mode', 'must be enforce or shadow');
  }
  const codes = value('codes');
  if (codes !== undefined) {
    if (!isStringList(codes)) bad('codes', 'must be a list of reason codes ([] for none)');
    else {
      const unknown = codes.filter((c) => !CODES.includes(c));
      if (unknown.length > 0) bad('codes', `has unknown reason codes: ${unknown.join(', ')}`);
      else expect.codes = codes;
    }
  }
  const rules = value('rules');
  if (rules !== undefined) {
    if (isStringList(rules)) expect.rules = rules;
    else bad('rules', 'must be a list of rule ids ([] for none)');
  }
  const redactions = value('redactions');
  if (redactions !== undefined) {
    if (
      Array.isArray(redactions) &&
      redactions.every(
        (r) =>
          r !== null &&
          typeof r === 'object' &&
          Object.keys(r).sort().join() === 'by,path' &&
          typeof (r as { path: unknown }).path === 'string' &&
          typeof (r as { by: unknown }).by === 'string',
      )
    )
      expect.redactions = redactions as { path: string; by: string }[];
    else bad('redactions', 'must be a list of {path, by} ([] for none)');
  }
  const params = value('params');
  if (params !== undefined) {
    if (isJsonData(params)) expect.params = params as Json;
    else bad('params', 'is not JSON data');
  }
  return ok ? expect : undefined;
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/** The yaml library's message without the lines it quotes and its own "at line L, column C". */
function firstLine(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, '');
}
