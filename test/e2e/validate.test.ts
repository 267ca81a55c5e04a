/** `aegis validate` through the built CLI: the fixtures, every format, --strict, --ignore. */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aegis, REPO, tempDir } from './run-cli.js';

const GOOD = `agent: good-agent
allowed_tools:
  - name: search
`;
// An unknown key (with a did-you-mean hint) at 4:5.
const BAD = `agent: bad-agent
allowed_tools:
  - name: stripe-payments
    rate_limt: { rps: 3 }
`;
// A bare `*` egress pattern: a warning (POLICY-LANGUAGE.md section 7), not an error.
const WARNS = `agent: warn-agent
allowed_tools: []
egress:
  allow: ["*"]
`;

let dir: { path: string; remove: () => void };

beforeAll(() => {
  dir = tempDir('validate');
  mkdirSync(join(dir.path, 'policies'));
  writeFileSync(join(dir.path, 'policies', 'good.yaml'), GOOD);
  writeFileSync(join(dir.path, 'policies', 'bad.yaml'), BAD);
  mkdirSync(join(dir.path, 'warns'));
  writeFileSync(join(dir.path, 'warns', 'warns.yaml'), WARNS);
  cpSync(join(REPO, 'fixtures', 'policies'), join(dir.path, 'fixtures'), { recursive: true });
});

afterAll(() => dir.remove());

const run = (...args: string[]) => aegis(['validate', ...args], { cwd: dir.path });

describe('aegis validate', () => {
  it('passes the reference fixtures', () => {
    const result = run('fixtures');
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^✔ \d+ policies in 5 files are valid\n$/);
    expect(result.code).toBe(0);
  });

  it('text: grouped by file, located, with the hint and a summary', () => {
    const result = run('policies');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      [
        'policies/bad.yaml',
        '  4:5  error    unknown key `rate_limt` in tool entry  unknown-key',
        '                hint: did you mean `rate_limit`?',
        '',
        '✖ 1 error in 1 file (1 policy)',
        '',
      ].join('\n'),
    );
  });

  it('json: one document on stdout and nothing else', () => {
    const result = run('policies', '--format', 'json');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ valid: false, files: 2, policies: 1, errors: 1, warnings: 0 });
    expect(report.diagnostics).toEqual([
      {
        file: 'policies/bad.yaml',
        line: 4,
        column: 5,
        endLine: 4,
        endColumn: 14,
        pointer: '/allowed_tools/0/rate_limt',
        document: 0,
        severity: 'error',
        code: 'unknown-key',
        message: 'unknown key `rate_limt` in tool entry',
        hint: 'did you mean `rate_limit`?',
      },
    ]);
  });

  it('github: workflow commands', () => {
    const result = run('policies', '--format', 'github');
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')[0]).toBe(
      '::error file=policies/bad.yaml,line=4,col=5,endLine=4,endColumn=14,title=unknown-key::' +
        'unknown key `rate_limt` in tool entry%0Ahint: did you mean `rate_limit`?',
    );
  });

  it('sarif: a SARIF 2.1.0 log', () => {
    const result = run('policies', '--format', 'sarif');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    const log = JSON.parse(result.stdout);
    expect(log.version).toBe('2.1.0');
    const [run0] = log.runs;
    expect(run0.tool.driver.name).toBe('aegis');
    expect(run0.tool.driver.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(run0.tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(['unknown-key']);
    expect(run0.results[0]).toMatchObject({
      ruleId: 'unknown-key',
      level: 'error',
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'policies/bad.yaml' },
            region: { startLine: 4, startColumn: 5, endLine: 4, endColumn: 14 },
          },
        },
      ],
    });
  });

  it('an unknown format is a usage error', () => {
    const result = run('policies', '--format', 'xml');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/text, json, github, sarif/);
  });

  // Warnings come only from semantic rules; with a canned result, test/commands/ checks that
  // --strict fails on them. Here: --strict neither fails clean policies nor hides errors.
  it('--strict: clean still passes, errors still fail', () => {
    const clean = run('fixtures', '--strict');
    expect(clean.stdout).toMatch(/^✔ \d+ policies in 5 files are valid\n$/);
    expect(clean.code).toBe(0);
    const bad = run('policies', '--strict', '--format', 'json');
    expect(JSON.parse(bad.stdout)).toMatchObject({ valid: false, errors: 1 });
    expect(bad.code).toBe(1);
  });

  it('--ignore leaves a warning out, and only a warning', () => {
    const ignored = run('warns', '--strict', '--ignore', 'bare-wildcard-egress');
    expect(ignored.stdout).toBe('✔ 1 policy in 1 file is valid\n');
    expect(ignored.code).toBe(0);
    const unknown = run('warns', '--ignore', 'bare-wildcard', '--', 'warns');
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(
      /unknown code `bare-wildcard`; warning codes: .*bare-wildcard-egress/,
    );
    const error = run('policies', '--ignore', 'unknown-key');
    expect(error.code).toBe(2);
    expect(error.stderr).toMatch(/`unknown-key` is an error and cannot be ignored/);
  });

  it('an input error wins over findings: exit 2', () => {
    const result = run('policies', 'missing.yaml');
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(
      /^missing\.yaml\n {2}1:1 {2}error {4}no such file or directory {2}path-not-found$/m,
    );
    expect(result.stdout).toMatch(/unknown-key/);
  });

  it('no colour with NO_COLOR or when not on a terminal', () => {
    const result = aegis(['validate', 'policies'], { cwd: dir.path, env: { FORCE_COLOR: '3' } });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for ANSI escapes
    expect(result.stdout).not.toMatch(/\u001b\[/);
  });

  it('refuses a YAML tag: exit 1, at the tag, and nothing of the policy is compiled', () => {
    writeFileSync(
      join(dir.path, 'tagged.yaml'),
      'agent: !!js/function "x"\nallowed_tools:\n  - name: search\n',
    );
    const result = run('tagged.yaml', '--format', 'json');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({
      valid: false,
      policies: 0,
      diagnostics: [
        {
          file: 'tagged.yaml',
          line: 1,
          column: 8,
          endLine: 1,
          endColumn: 21,
          code: 'yaml-tag',
          severity: 'error',
          message: 'a YAML tag (`!!js/function`) is not allowed: a policy is plain data',
          hint: 'remove the tag, and quote the value if a string is meant',
        },
      ],
    });
    const compiled = aegis(['compile', 'tagged.yaml', '-o', 'tagged.tar.gz'], { cwd: dir.path });
    expect(compiled.code).toBe(1);
    expect(compiled.stdout + compiled.stderr).toContain('yaml-tag');
  });

  it('needs a path', () => {
    const result = aegis(['validate'], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/missing required argument/);
  });
});
