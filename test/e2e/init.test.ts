import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aegis, REPO, tempDir } from './run-cli.js';

const FILES = [
  'policies/agents.yaml',
  'policies/agents.test.yaml',
  'traces/example.jsonl',
  'README.md',
];
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

let dir: { path: string; remove: () => void };
beforeAll(() => {
  dir = tempDir('init');
});
afterAll(() => dir.remove());

function listTree(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort();
}

describe('aegis init', () => {
  it('writes the example project into a new directory', () => {
    const result = aegis(['init', 'proj'], { cwd: dir.path });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(listTree(join(dir.path, 'proj'))).toEqual([...FILES].sort());
    for (const file of FILES) expect(result.stdout).toContain(`  ${file}\n`);
    expect(result.stdout).toMatch(/cd proj\n {2}aegis validate policies\n/);
  });

  it('writes policies that validate without an error or a warning', () => {
    const result = aegis(['validate', 'policies', '--strict'], { cwd: join(dir.path, 'proj') });
    expect(result.stdout).toBe('✔ 3 policies in 1 file are valid\n');
    expect(result.code).toBe(0);
  });

  it('writes policy tests that pass on every engine', () => {
    for (const engine of ['native', 'opa', 'wasm']) {
      const result = aegis(['test', 'policies', '--engine', engine, '--format', 'json'], {
        cwd: join(dir.path, 'proj'),
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.failed).toBe(0);
      expect(report.passed).toBeGreaterThanOrEqual(8);
    }
  });

  it('points editors at the schema of this version', () => {
    const { name, version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
    };
    const firstLine = readFileSync(join(dir.path, 'proj', 'policies', 'agents.yaml'), 'utf8').split(
      '\n',
    )[0];
    expect(firstLine).toBe(
      `# yaml-language-server: $schema=https://unpkg.com/${name}@${version}/schemas/aegis-policy.v1.schema.json`,
    );
  });

  it('writes a trace of aegis JSON Lines events, each with a time, for the example agents', () => {
    const lines = readFileSync(join(dir.path, 'proj', 'traces', 'example.jsonl'), 'utf8')
      .trimEnd()
      .split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(lines.length).toBeLessThanOrEqual(20);
    const agents = new Set<string>();
    for (const line of lines) {
      const event = JSON.parse(line);
      expect(typeof event.agent.id).toBe('string');
      expect(typeof event.tool.name).toBe('string');
      expect(event.context.time).toMatch(RFC3339);
      expect(Number.isNaN(Date.parse(event.context.time))).toBe(false);
      agents.add(event.agent.id);
    }
    expect([...agents].sort()).toEqual([
      'devops-agent',
      'finance-agent',
      'marketing-agent',
      'support-agent',
    ]);
  });

  it('explains the next steps in README.md', () => {
    const readme = readFileSync(join(dir.path, 'proj', 'README.md'), 'utf8');
    expect(readme).toContain('aegis validate policies');
    expect(readme).toContain('aegis test policies');
    expect(readme).toContain('aegis compile policies -o bundle.tar.gz');
    expect(readme).toContain('aegis simulate traces/example.jsonl --policy policies');
  });

  it('refuses a directory that is not empty', () => {
    const result = aegis(['init', 'proj'], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^aegis: proj is not empty; use --force/);
  });

  it('with --force, never overwrites a file and writes nothing at all if one exists', () => {
    const target = join(dir.path, 'has-readme');
    mkdirSync(target);
    writeFileSync(join(target, 'README.md'), 'mine\n');
    const result = aegis(['init', 'has-readme', '--force'], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/will not overwrite has-readme\/README\.md; nothing was written/);
    expect(listTree(target)).toEqual(['README.md']);
    expect(readFileSync(join(target, 'README.md'), 'utf8')).toBe('mine\n');
  });

  it('with --force, adds the files beside unrelated ones', () => {
    const target = join(dir.path, 'busy');
    mkdirSync(join(target, 'policies'), { recursive: true });
    writeFileSync(join(target, 'policies', 'other.yaml'), 'keep\n');
    const result = aegis(['init', 'busy', '--force'], { cwd: dir.path });
    expect(result.code).toBe(0);
    expect(listTree(target)).toEqual([...FILES, 'policies/other.yaml'].sort());
    expect(readFileSync(join(target, 'policies', 'other.yaml'), 'utf8')).toBe('keep\n');
  });

  it('a write that fails half-way removes the files it made (file modes apply even as root)', () => {
    const target = join(dir.path, 'half');
    mkdirSync(join(target, 'traces'), { recursive: true });
    chmodSync(target, 0o777);
    // traces/ is read-only: the policies are written first, then the trace cannot be.
    chmodSync(join(target, 'traces'), 0o555);
    const result = aegis(['init', target, '--force'], { cwd: dir.path, unprivileged: true });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /cannot write .*traces\/example\.jsonl: permission denied; nothing was kept/,
    );
    expect(listTree(target)).toEqual([]);
  });

  it('refuses a path where a directory is needed', () => {
    writeFileSync(join(dir.path, 'afile'), 'x');
    const result = aegis(['init', 'afile'], { cwd: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/afile exists and is not a directory/);
    const blocked = join(dir.path, 'blocked');
    mkdirSync(blocked);
    writeFileSync(join(blocked, 'traces'), 'a file, not a directory');
    const conflict = aegis(['init', 'blocked', '--force'], { cwd: dir.path });
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toMatch(/will not overwrite blocked\/traces;/);
    expect(existsSync(join(blocked, 'policies'))).toBe(false);
  });

  it('defaults to the current directory', () => {
    const here = join(dir.path, 'here');
    mkdirSync(here);
    const result = aegis(['init'], { cwd: here });
    expect(result.code).toBe(0);
    expect(listTree(here)).toEqual([...FILES].sort());
    expect(result.stdout).not.toMatch(/\bcd /);
  });
});
