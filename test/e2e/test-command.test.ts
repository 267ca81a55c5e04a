/**
 * `aegis test` through the built CLI: the hand-written fixture cases as test files pass on the
 * three engines; a wrong expectation fails with exit 1 and says which field, in text, JSON and
 * JUnit; a test file that says something unclear is exit 2 with its line; coverage lists the
 * rule ids no case cited; and policies come from directories, files or a bundle.
 */
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { findOpa } from '../../src/engine/opa-binary.js';
import { aegis, expectCleanRefusal, REPO, tempDir } from './run-cli.js';

let dir: { path: string; remove: () => void };
const testCli = (args: string[]) => aegis(['test', ...args], { cwd: dir.path });

interface FixtureCase {
  name: string;
  input: unknown;
  expect: Record<string, unknown>;
}

function fixtureCases(scenario: string): FixtureCase[] {
  return readFileSync(join(REPO, 'fixtures', 'cases', `${scenario}.jsonl`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as FixtureCase);
}

const asTestFile = (cases: FixtureCase[]) => stringify({ cases });

beforeAll(async () => {
  const opa = await findOpa({ env: process.env, cwd: REPO });
  if (!opa.ok) throw new Error(`aegis test needs real OPA here: ${opa.message}`);
  dir = tempDir('test-command');
  mkdirSync(join(dir.path, 'fin'));
  mkdirSync(join(dir.path, 'tests'));
  // One directory holding a policy and its tests, as a project keeps them.
  cpSync(join(REPO, 'fixtures', 'policies', 'fintech.yaml'), join(dir.path, 'fin', 'fintech.yaml'));
  writeFileSync(join(dir.path, 'fin', 'fintech.test.yaml'), asTestFile(fixtureCases('fintech')));
  // Tests apart from the policies they test.
  cpSync(join(REPO, 'fixtures', 'policies'), join(dir.path, 'policies'), { recursive: true });
  writeFileSync(
    join(dir.path, 'tests', 'healthcare.test.yaml'),
    asTestFile(fixtureCases('healthcare')),
  );
  const bundle = aegis(['compile', 'policies', '-o', 'all.tar.gz'], { cwd: dir.path });
  expect(bundle.code, bundle.stderr).toBe(0);
}, 120_000);

afterAll(() => dir?.remove());

describe('aegis test', () => {
  it.each(['native', 'opa', 'wasm'])(
    'passes the fixture cases with the %s engine',
    (engine) => {
      const result = testCli(['fin', '--engine', engine]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const cases = fixtureCases('fintech');
      for (const c of cases) expect(result.stdout).toContain(`  PASS  ${c.name}\n`);
      expect(result.stdout).toContain(
        `${cases.length} cases: ${cases.length} passed, 0 failed (${engine} engine`,
      );
    },
    120_000,
  );

  it('takes policies from a directory, files or a bundle, and tests from elsewhere', () => {
    for (const policies of [['policies'], ['policies/healthcare.yaml'], ['all.tar.gz']]) {
      const result = testCli([...policies, 'tests', '--format', 'json']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.failed).toBe(0);
      expect(report.passed).toBe(fixtureCases('healthcare').length);
      expect(report.files.map((f: { file: string }) => f.file)).toEqual([
        join('tests', 'healthcare.test.yaml'),
      ]);
    }
  });

  it('fails a case whose decision differs, saying which field, in text, JSON and JUnit', () => {
    const cases = fixtureCases('fintech');
    const wrong = { ...cases[1], expect: { ...cases[1]?.expect, outcome: 'deny', codes: [] } };
    writeFileSync(
      join(dir.path, 'wrong.test.yaml'),
      asTestFile([cases[0] as FixtureCase, wrong as FixtureCase]),
    );
    const text = testCli(['policies/fintech.yaml', 'wrong.test.yaml']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`  FAIL  ${wrong.name}  (line `);
    expect(text.stdout).toContain('outcome: expected "deny", got "approval_needed"');
    expect(text.stdout).toContain('codes: expected [], got ["amount_needs_approval"]');
    expect(text.stdout).toContain('2 cases: 1 passed, 1 failed');

    const json = testCli(['policies/fintech.yaml', 'wrong.test.yaml', '--format', 'json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.failed).toBe(1);
    expect(report.files[0].cases[1].mismatches).toEqual([
      { field: 'outcome', expected: 'deny', actual: 'approval_needed' },
      { field: 'codes', expected: [], actual: ['amount_needs_approval'] },
    ]);

    const github = testCli(['policies/fintech.yaml', 'wrong.test.yaml', '--format', 'github']);
    expect(github.code).toBe(1);
    expect(github.stdout.split('\n')[0]).toMatch(
      new RegExp(
        `^::error file=wrong\\.test\\.yaml,line=\\d+,title=aegis test%3A ${String(wrong.name).replaceAll(',', '%2C')}::outcome: expected "deny", got "approval_needed"%0Acodes: `,
      ),
    );
    expect(github.stdout).toContain('2 cases: 1 passed, 1 failed');

    const explained = testCli(['policies/fintech.yaml', 'wrong.test.yaml', '--explain']);
    expect(explained.code).toBe(1);
    // The failing case only, with the checks that decided it.
    expect(explained.stderr).toMatch(
      new RegExp(`^wrong\\.test\\.yaml:\\d+: ${wrong.name}\\ndecision approval_needed`),
    );
    expect(explained.stderr).toContain('FAIL');
    expect(explained.stderr).not.toContain(cases[0]?.name);

    const junit = testCli(['policies/fintech.yaml', 'wrong.test.yaml', '--format', 'junit']);
    expect(junit.code).toBe(1);
    expect(junit.stdout).toContain(
      '<testsuites name="aegis test" tests="2" failures="1" errors="0">',
    );
    expect(junit.stdout).toContain(
      '<failure message="outcome, codes differ from what was expected">',
    );
  });

  it('compares codes as a multiset, rules as a set, redactions and params exactly', () => {
    const [redacted] = fixtureCases('fintech').filter((c) => c.name.includes('redacted by path'));
    expect(redacted).toBeDefined();
    const file = stringify({
      cases: [
        {
          name: 'the account number goes',
          input: redacted?.input,
          expect: {
            rules: [
              'acme/finance-agent/stripe-payments/sanitize',
              'acme/finance-agent/stripe-payments/sanitize',
            ],
            redactions: [{ by: 'path', path: '/recipient/account_number' }],
            params: { nope: true },
          },
        },
      ],
    });
    writeFileSync(join(dir.path, 'fields.test.yaml'), file);
    const result = testCli(['policies/fintech.yaml', 'fields.test.yaml', '--format', 'json']);
    const mismatches = JSON.parse(result.stdout).files[0].cases[0].mismatches;
    // Only params is wrong: the rule id written twice is one rule, the redaction's keys in any order.
    expect(mismatches.map((m: { field: string }) => m.field)).toEqual(['params']);
    expect(result.code).toBe(1);
  });

  it('lists the rule ids no case cited with --coverage', () => {
    const result = testCli(['fin', '--coverage', '--format', 'json']);
    expect(result.code).toBe(0);
    const { coverage } = JSON.parse(result.stdout);
    expect(coverage.rules).toBeGreaterThan(coverage.cited);
    expect(coverage.cited).toBeGreaterThan(5);
    expect(coverage.uncited).toContain('acme/finance-agent/stripe-payments/params/memo/max_length');
    expect(coverage.uncited).not.toContain(
      'acme/finance-agent/stripe-payments/conditions/max_amount',
    );
    const text = testCli(['fin', '--coverage']);
    expect(text.stdout).toMatch(/coverage: \d+ of \d+ rule ids cited by some case \(\d+%\)/);
  });

  it('refuses a test file that says something unclear, with every problem and its line', () => {
    writeFileSync(
      join(dir.path, 'unclear.test.yaml'),
      [
        'cases:',
        '  - name: one',
        '    input: {agent: {id: a}}',
        '    expect: {outcome: denied, codez: []}',
        '  - name: one',
        '    input: {x: 1}',
        '    expect: {codes: [nope]}',
        '  - input: 3',
        '',
      ].join('\n'),
    );
    const result = testCli(['policies/fintech.yaml', 'unclear.test.yaml']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      'aegis: unclear.test.yaml:4:31: unknown key `codez` in expect; one of decision, outcome, allow, mode, codes, rules, redactions, params',
      'aegis: unclear.test.yaml:4:23: case "one": expect.outcome must be one of allow, sanitize, approval_needed, deny',
      'aegis: unclear.test.yaml:5:5: two cases are named "one" (the first at line 2)',
      'aegis: unclear.test.yaml:7:21: case "one": expect.codes has unknown reason codes: nope',
      'aegis: unclear.test.yaml:8:5: a case needs a `name` (a non-empty string)',
    ]);
  });

  it.each([
    ['an empty file', '', 'the test file is empty'],
    ['no cases', 'cases: []\n', '`cases:` must be a list of at least one case'],
    ['a case without expect', 'cases:\n  - name: a\n    input: {x: 1}\n', 'has no `expect`'],
    ['a YAML error', 'cases:\n  - name: "a\n', 'unclear.test.yaml:'],
    [
      'an input that is not JSON',
      'cases: [{name: a, input: .inf, expect: {allow: true}}]\n',
      'not JSON data',
    ],
    [
      'an input with a YAML tag',
      'cases:\n  - name: a\n    input: !!binary aGVsbG8=\n    expect: {allow: true}\n',
      'aegis: unclear.test.yaml:3:12: a YAML tag (`!!binary`) is not allowed',
    ],
  ])('refuses %s (exit 2, one line)', (_what, text, message) => {
    writeFileSync(join(dir.path, 'unclear.test.yaml'), text);
    const result = testCli(['policies/fintech.yaml', 'unclear.test.yaml']);
    expectCleanRefusal(result);
    expect(result.stderr).toContain(message);
  });

  it('keeps control characters in names off the terminal', () => {
    writeFileSync(
      join(dir.path, 'escape.test.yaml'),
      'cases:\n  - name: "red\\e[31m\\u202etext"\n    input: {}\n    expect: {allow: true}\n',
    );
    const result = testCli(['policies/fintech.yaml', 'escape.test.yaml']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAIL  red\\u001b[31m\\u202etext  (line 2)');
    expect(result.stdout).not.toContain('\u001b');
  });

  it('runs only the cases whose name matches --run', () => {
    const result = testCli(['fin', '--run', '^egress', '--format', 'json']);
    expect(result.code).toBe(0);
    const names = JSON.parse(result.stdout).files[0].cases.map((c: { name: string }) => c.name);
    expect(names).toEqual(
      fixtureCases('fintech')
        .map((c) => c.name)
        .filter((name) => name.startsWith('egress')),
    );
    expect(names.length).toBeGreaterThanOrEqual(2);
    expectCleanRefusal(testCli(['fin', '--run', 'no case is named so']));
    expectCleanRefusal(testCli(['fin', '--run', '(']));
  });

  it('refuses paths without tests, without policies, or that are not there', () => {
    expectCleanRefusal(testCli(['policies']));
    expect(testCli(['policies']).stderr).toContain('no test files');
    expectCleanRefusal(testCli(['tests']));
    expect(testCli(['tests']).stderr).toContain('no policies to test');
    expectCleanRefusal(testCli(['nothere', 'tests']));
    expect(testCli(['nothere', 'tests']).stderr).toContain('nothere: no such file or directory');
  });

  it('refuses a directory it cannot read, naming it (exit 2, one line)', () => {
    mkdirSync(join(dir.path, 'shut', 'inner'), { recursive: true });
    writeFileSync(
      join(dir.path, 'shut', 'inner', 'x.test.yaml'),
      asTestFile(fixtureCases('fintech')),
    );
    chmodSync(join(dir.path, 'shut', 'inner'), 0o000);
    try {
      const result = aegis(['test', 'policies/fintech.yaml', 'shut'], {
        cwd: dir.path,
        unprivileged: true,
      });
      expectCleanRefusal(result);
      expect(result.stderr).toContain(`${join('shut', 'inner')}:1:1: permission denied`);
    } finally {
      chmodSync(join(dir.path, 'shut', 'inner'), 0o755);
    }
  });

  it('leaves test files out of the policies that validate and compile read', () => {
    const result = aegis(['validate', 'fin', '--format', 'json'], { cwd: dir.path });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).files).toBe(1);
  });
});
