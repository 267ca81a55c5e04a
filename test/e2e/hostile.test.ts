/**
 * Hostile input through the built CLI. Each case must end in a located one-line diagnostic
 * and exit 1 (something wrong in the content) or 2 (the file cannot be used as text): never
 * exit 3, never a stack trace, never a hang (the child is killed after a timeout).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aegis, type CliResult, isCleanError, REPO, tempDir } from './run-cli.js';

const REPO_POLICIES = join(REPO, 'fixtures', 'policies');

const billionLaughs = (() => {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++) {
    const prev = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  return `${lines.join('\n')}\n`;
})();

const blockIndented = (depth: number) =>
  `${Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}k:`).join('\n')} v\n`;

interface Case {
  name: string;
  file: string;
  content: string | Buffer;
  code: string;
  exit: 1 | 2;
  at: string;
  args?: string[];
}

const CASES: Case[] = [
  {
    name: 'YAML syntax error',
    file: 'syntax.yaml',
    content: 'agent: a\nallowed_tools: [x, y\nmode: enforce\n',
    code: 'syntax-error',
    exit: 1,
    at: '\\d+:\\d+',
  },
  {
    name: 'billion laughs',
    file: 'bomb.yaml',
    content: billionLaughs,
    code: 'alias-limit',
    exit: 1,
    at: '1:1',
  },
  {
    name: '10,000-deep flow sequences',
    file: 'flow.yaml',
    content: `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
    code: 'too-deep',
    exit: 1,
    at: '1:65',
  },
  {
    name: '10,000-deep JSON',
    file: 'deep.json',
    content: `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`,
    code: 'too-deep',
    exit: 1,
    at: '1:\\d+',
  },
  {
    name: '10,000-deep block sequences',
    file: 'dashes.yaml',
    content: `${'- '.repeat(10_000)}x\n`,
    code: 'too-deep',
    exit: 1,
    at: '1:\\d+',
  },
  {
    name: '10,000-deep block indentation (50 MB, under a raised cap)',
    file: 'indent.yaml',
    content: blockIndented(10_000),
    code: 'too-deep',
    exit: 1,
    at: '65:65',
    args: ['--max-file-size', '64M'],
  },
  {
    name: 'a file over the size cap',
    file: 'big.yaml',
    content: `# ${'x'.repeat(10 * 1024 * 1024)}\nagent: a\nallowed_tools: []\n`,
    code: 'file-too-large',
    exit: 2,
    at: '1:1',
  },
  {
    name: 'a file over a lowered size cap',
    file: 'small.yaml',
    content: `# ${'x'.repeat(2048)}\nagent: a\nallowed_tools: []\n`,
    code: 'file-too-large',
    exit: 2,
    at: '1:1',
    args: ['--max-file-size', '1k'],
  },
  {
    name: 'a binary file',
    file: 'binary.yaml',
    content: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00]),
    code: 'binary-file',
    exit: 2,
    at: '1:7',
  },
  {
    name: 'latin-1 bytes',
    file: 'latin1.yaml',
    content: Buffer.from('agent: a\ndescription: caf\xe9\nallowed_tools: []\n', 'latin1'),
    code: 'not-utf8',
    exit: 2,
    at: '2:17',
  },
  {
    name: 'UTF-16 with a byte order mark',
    file: 'utf16.yaml',
    content: Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('agent: a\nallowed_tools: []\n', 'utf16le'),
    ]),
    code: 'not-utf8',
    exit: 2,
    at: '1:4',
  },
  {
    name: 'an empty file',
    file: 'empty.yaml',
    content: '',
    code: 'empty-file',
    exit: 1,
    at: '1:1',
  },
  {
    name: 'a file with only ---',
    file: 'dashes-only.yaml',
    content: '---\n',
    code: 'empty-file',
    exit: 1,
    at: '1:1',
  },
  {
    name: 'duplicate keys',
    file: 'dup.yaml',
    content: 'agent: a\nallowed_tools: []\nagent: b\n',
    code: 'duplicate-key',
    exit: 1,
    at: '3:1',
  },
  {
    name: 'JSON with a trailing comma',
    file: 'comma.json',
    content: '{\n  "agent": "a",\n  "allowed_tools": [],\n}\n',
    code: 'syntax-error',
    exit: 1,
    at: '4:1',
  },
  {
    name: 'JSON with a comment',
    file: 'comment.json',
    content: '{\n  // finance\n  "agent": "a",\n  "allowed_tools": []\n}\n',
    code: 'syntax-error',
    exit: 1,
    at: '2:3',
  },
];

let dir: { path: string; remove: () => void };

beforeAll(() => {
  dir = tempDir('hostile');
  for (const c of CASES) writeFileSync(join(dir.path, c.file), c.content);
});

afterAll(() => dir.remove());

/** The diagnostic line of the text format, anchored so that a stray extra line fails it. */
function expectDiagnostic(
  result: CliResult,
  file: string,
  at: string,
  code: string,
  exit: number,
): void {
  expect(result.signal, 'the CLI hung or crashed').toBeNull();
  expect(result.code, result.stderr || result.stdout).toBe(exit);
  expect(isCleanError(result.stderr), result.stderr).toBe(true);
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  expect(result.stdout).toMatch(
    new RegExp(`^${escaped}\\n  ${at}\\s+error {4}\\S.*  ${code}$`, 'm'),
  );
}

describe('hostile input', () => {
  it.each(CASES)('$name: exit $exit with $code', (c) => {
    const result = aegis(['validate', c.file, ...(c.args ?? [])], { cwd: dir.path });
    expectDiagnostic(result, c.file, c.at, c.code, c.exit);
  });

  it('a raised cap lets the large file through', () => {
    const result = aegis(['validate', 'big.yaml', '--max-file-size', '20M'], { cwd: dir.path });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('✔ 1 policy in 1 file is valid\n');
    expect(result.code).toBe(0);
  });

  it('all of them at once: every problem reported, exit 2, one JSON document', () => {
    const result = aegis(['validate', '.', '--format', 'json'], { cwd: dir.path });
    expect(result.signal).toBeNull();
    expect(result.code).toBe(2);
    expect(isCleanError(result.stderr), result.stderr).toBe(true);
    const report = JSON.parse(result.stdout);
    const codes = new Set(report.diagnostics.map((d: { code: string }) => d.code));
    for (const c of CASES) expect(codes).toContain(c.code);
    expect(report.valid).toBe(false);
  });
});

describe('hostile file system', () => {
  let fs: { path: string; remove: () => void };

  beforeAll(() => {
    fs = tempDir('hostile-fs');
    const p = (...parts: string[]) => join(fs.path, ...parts);
    mkdirSync(p('fifo'));
    writeFileSync(p('fifo', 'ok.yaml'), 'agent: a\nallowed_tools: []\n');
    execFileSync('mkfifo', [p('fifo', 'x.yaml')]);
    mkdirSync(p('links'));
    symlinkSync('nowhere.yaml', p('links', 'dangling.yaml'));
    symlinkSync('b.yaml', p('links', 'a.yaml'));
    symlinkSync('a.yaml', p('links', 'b.yaml'));
    mkdirSync(p('cycle', 'dir'), { recursive: true });
    writeFileSync(p('cycle', 'dir', 'ok.yaml'), 'agent: a\nallowed_tools: []\n');
    symlinkSync('..', p('cycle', 'dir', 'loop'));
    mkdirSync(p('locked'));
    writeFileSync(p('locked', 'ok.yaml'), 'agent: a\nallowed_tools: []\n');
    writeFileSync(p('locked', 'secret.yaml'), 'agent: b\nallowed_tools: []\n');
    chmodSync(p('locked', 'secret.yaml'), 0o000);
    mkdirSync(p('locked', 'closed'));
    writeFileSync(p('locked', 'closed', 'inner.yaml'), 'agent: c\nallowed_tools: []\n');
    chmodSync(p('locked', 'closed'), 0o000);
  });

  afterAll(() => {
    chmodSync(join(fs.path, 'locked', 'closed'), 0o755);
    fs.remove();
  });

  it('a FIFO named x.yaml in a directory is refused, not opened', () => {
    const result = aegis(['validate', 'fifo'], { cwd: fs.path, timeoutMs: 15_000 });
    expectDiagnostic(result, 'fifo/x.yaml', '1:1', 'unreadable-file', 2);
    expect(result.stdout).toMatch(/not a regular file/);
  });

  it('a dangling symlink', () => {
    const result = aegis(['validate', 'links/dangling.yaml'], { cwd: fs.path });
    expectDiagnostic(result, 'links/dangling.yaml', '1:1', 'path-not-found', 2);
  });

  it('a symlink loop a -> b -> a', () => {
    const result = aegis(['validate', 'links'], { cwd: fs.path });
    expectDiagnostic(result, 'links/a.yaml', '1:1', 'symlink-loop', 2);
    expectDiagnostic(result, 'links/b.yaml', '1:1', 'symlink-loop', 2);
    expectDiagnostic(result, 'links/dangling.yaml', '1:1', 'unreadable-file', 2);
  });

  it('a directory symlink cycle dir/loop -> ..', () => {
    const result = aegis(['validate', 'cycle'], { cwd: fs.path, timeoutMs: 15_000 });
    expectDiagnostic(result, 'cycle/dir/loop', '1:1', 'symlink-loop', 2);
    // The real file is still read, once.
    expect(result.stdout).toMatch(/\(1 policy\)/);
  });

  it('unreadable files and directories (file modes apply even when the tests run as root)', () => {
    const result = aegis(['validate', 'locked'], { cwd: fs.path, unprivileged: true });
    expectDiagnostic(result, 'locked/secret.yaml', '1:1', 'unreadable-file', 2);
    expectDiagnostic(result, 'locked/closed', '1:1', 'unreadable-file', 2);
    expect(result.stdout).toMatch(/permission denied/);
  });

  it('a path that does not exist', () => {
    const result = aegis(['validate', 'no/such/dir'], { cwd: fs.path });
    expectDiagnostic(result, 'no/such/dir', '1:1', 'path-not-found', 2);
  });
});

describe('escape sequences in what aegis quotes back', () => {
  // Sets the terminal's title, then turns the text red: a message must show it, not do it.
  const ESCAPES = '\u001b]0;PWNED\u0007\u001b[31mred{';
  let dir: { path: string; remove: () => void };
  beforeAll(() => {
    dir = tempDir('escapes');
    writeFileSync(join(dir.path, 'esc.json'), ESCAPES);
    writeFileSync(join(dir.path, 'trace.jsonl'), `${ESCAPES}\n`);
  });
  afterAll(() => dir.remove());

  it.each([
    ['eval', ['eval', REPO_POLICIES, '--input', 'esc.json']],
    ['simulate --strict', ['simulate', 'trace.jsonl', '--policy', REPO_POLICIES, '--strict']],
    ['report merge', ['report', 'merge', 'esc.json']],
  ])('%s: exit 2, the control characters escaped', (_, args) => {
    const result = aegis(args, { cwd: dir.path });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/\\u001b/);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point
    expect(result.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(isCleanError(result.stderr)).toBe(true);
  });
});
