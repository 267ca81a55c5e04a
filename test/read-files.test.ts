import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_FILE_SIZE,
  decodeUtf8,
  isPolicyFileName,
  readPolicyFiles,
} from '../src/policy/read-files.js';

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'aegis-read-'));
  const tree: Record<string, string | Buffer> = {
    'p/b.yaml': 'agent: b\n',
    'p/a.yml': 'agent: a\n',
    'p/sub/c.json': '{"agent": "c"}',
    'p/sub/C.JSON': '{"agent": "C"}',
    'p/notes.txt': 'not a policy',
    'p/cases.test.yaml': 'cases: []',
    'p/.hidden.yaml': 'agent: hidden\n',
    'p/node_modules/x.yaml': 'agent: vendored\n',
    'empty/.keep': '',
    'misc/policy.txt': 'agent: txt\n',
    'misc/bom.yaml': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('agent: bom\n')]),
    'misc/latin1.yaml': Buffer.from('agent: caf\xe9\n', 'latin1'),
    'misc/utf16.yaml': Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('agent: a\n', 'utf16le'),
    ]),
    'misc/binary.yaml': Buffer.from([0x61, 0x0a, 0x62, 0x63, 0x00, 0x01]),
    'misc/big.yaml': `# ${'x'.repeat(2000)}\nagent: big\n`,
  };
  for (const [path, content] of Object.entries(tree)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  mkdirSync(join(root, 'links'));
  symlinkSync('missing.yaml', join(root, 'links/dangling.yaml'));
  symlinkSync('missing.txt', join(root, 'links/dangling.txt'));
  symlinkSync('loop-b.yaml', join(root, 'links/loop-a.yaml'));
  symlinkSync('loop-a.yaml', join(root, 'links/loop-b.yaml'));
  mkdirSync(join(root, 'cycle/dir'), { recursive: true });
  writeFileSync(join(root, 'cycle/dir/ok.yaml'), 'agent: ok\n');
  symlinkSync('..', join(root, 'cycle/dir/loop'));
  mkdirSync(join(root, 'fifo'));
  execFileSync('mkfifo', [join(root, 'fifo/x.yaml')]);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const read = (paths: string[], maxFileSize?: number) =>
  readPolicyFiles(paths, { cwd: root, ...(maxFileSize ? { maxFileSize } : {}) });

describe('readPolicyFiles: expanding paths', () => {
  it('walks directories sorted, skipping hidden, node_modules, tests and other extensions', async () => {
    const { sources, diagnostics } = await read(['p']);
    expect(diagnostics).toEqual([]);
    expect(sources.map((s) => [s.file, s.kind])).toEqual([
      ['p/a.yml', 'yaml'],
      ['p/b.yaml', 'yaml'],
      ['p/sub/C.JSON', 'json'],
      ['p/sub/c.json', 'json'],
    ]);
  });

  it('reads a file named explicitly whatever its extension, and each file once', async () => {
    const { sources } = await read(['misc/policy.txt', 'p/a.yml', join(root, 'p/a.yml')]);
    expect(sources.map((s) => [s.file, s.kind, s.text])).toEqual([
      ['misc/policy.txt', 'yaml', 'agent: txt\n'],
      ['p/a.yml', 'yaml', 'agent: a\n'],
    ]);
  });

  it('shows paths outside cwd as absolute', async () => {
    const { sources } = await readPolicyFiles(['a.yml'], { cwd: join(root, 'p') });
    expect(sources[0]?.file).toBe('a.yml');
    const outside = await readPolicyFiles([join(root, 'p/a.yml')], { cwd: join(root, 'misc') });
    expect(outside.sources[0]?.file).toBe(join(root, 'p/a.yml'));
  });

  it('reports a missing path and a directory with no policies', async () => {
    const { sources, diagnostics } = await read(['nope.yaml', 'empty']);
    expect(sources).toEqual([]);
    expect(diagnostics.map((d) => [d.file, d.code, d.line, d.column])).toEqual([
      ['nope.yaml', 'path-not-found', 1, 1],
      ['empty', 'no-policy-files', 1, 1],
    ]);
  });

  it('tells policy file names apart', () => {
    expect(isPolicyFileName('a.yaml')).toBe(true);
    expect(isPolicyFileName('a.YML')).toBe(true);
    expect(isPolicyFileName('a.json')).toBe(true);
    expect(isPolicyFileName('a.test.yaml')).toBe(false);
    expect(isPolicyFileName('a.yaml.bak')).toBe(false);
  });
});

describe('readPolicyFiles: hostile files', () => {
  it('refuses a file over the cap unread, and the cap can move', async () => {
    const over = await read(['misc/big.yaml'], 1024);
    expect(over.sources).toEqual([]);
    expect(over.diagnostics).toMatchObject([
      {
        code: 'file-too-large',
        file: 'misc/big.yaml',
        message: 'file is 2 KiB, over the 1 KiB cap',
      },
    ]);
    expect(over.diagnostics[0]?.hint).toMatch(/--max-file-size/);
    expect((await read(['misc/big.yaml'], 4096)).sources).toHaveLength(1);
    expect((await read(['misc/big.yaml'])).sources).toHaveLength(1);
    expect(DEFAULT_MAX_FILE_SIZE).toBe(10 * 1024 * 1024);
  });

  it('accepts a file exactly at the cap', async () => {
    const size = `# ${'x'.repeat(2000)}\nagent: big\n`.length;
    expect((await read(['misc/big.yaml'], size)).sources).toHaveLength(1);
    expect((await read(['misc/big.yaml'], size - 1)).sources).toHaveLength(0);
  });

  it('strips a UTF-8 byte order mark', async () => {
    const { sources } = await read(['misc/bom.yaml']);
    expect(sources[0]?.text).toBe('agent: bom\n');
  });

  it.each([
    ['misc/latin1.yaml', 'not-utf8', 1, 11, /byte 0xe9 at offset 10/],
    ['misc/utf16.yaml', 'not-utf8', 1, 4, /UTF-16/],
    ['misc/binary.yaml', 'binary-file', 2, 3, /NUL/],
  ])('refuses %s as %s at %i:%i', async (file, code, line, column, message) => {
    const { sources, diagnostics } = await read([file]);
    expect(sources).toEqual([]);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ file, code, line, column, severity: 'error' });
    expect(diagnostics[0]?.message).toMatch(message);
  });

  it('refuses a FIFO without opening it (no hang)', async () => {
    const viaDir = await read(['fifo']);
    expect(viaDir.diagnostics).toMatchObject([
      { file: 'fifo/x.yaml', code: 'unreadable-file', message: 'not a regular file' },
    ]);
    const named = await read(['fifo/x.yaml']);
    expect(named.diagnostics).toMatchObject([{ code: 'unreadable-file' }]);
  });

  it('reports broken and looping links, and ignores a dangling link that is no policy', async () => {
    const { sources, diagnostics } = await read(['links']);
    expect(sources).toEqual([]);
    expect(diagnostics.map((d) => [d.file, d.code])).toEqual([
      ['links/dangling.yaml', 'unreadable-file'],
      ['links/loop-a.yaml', 'symlink-loop'],
      ['links/loop-b.yaml', 'symlink-loop'],
    ]);
  });

  it('reports a link loop named on the command line', async () => {
    expect((await read(['links/loop-a.yaml'])).diagnostics).toMatchObject([
      { code: 'symlink-loop' },
    ]);
    expect((await read(['links/dangling.yaml'])).diagnostics).toMatchObject([
      { code: 'path-not-found' },
    ]);
  });

  it('stops at a directory link that points back up', async () => {
    const { sources, diagnostics } = await read(['cycle']);
    expect(sources.map((s) => s.file)).toEqual(['cycle/dir/ok.yaml']);
    expect(diagnostics).toMatchObject([{ file: 'cycle/dir/loop', code: 'symlink-loop' }]);
  });
});

describe('decodeUtf8', () => {
  it('finds the first bad byte on its line', () => {
    const bytes = Buffer.concat([Buffer.from('a: 1\nb: '), Buffer.from([0xc3, 0x28])]);
    expect(decodeUtf8(bytes)).toMatchObject({ ok: false, code: 'not-utf8', line: 2, column: 4 });
  });

  it('rejects overlong forms and surrogates', () => {
    expect(decodeUtf8(Buffer.from([0x61, 0xc0, 0xaf]))).toMatchObject({ ok: false, column: 2 });
    expect(decodeUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toMatchObject({ ok: false, column: 1 });
  });

  it('decodes multi-byte text', () => {
    expect(decodeUtf8(Buffer.from('€ 😀', 'utf8'))).toEqual({ ok: true, text: '€ 😀' });
  });

  it('calls a big-endian UTF-16 file UTF-16 too', () => {
    const be = Buffer.from([0xfe, 0xff, 0x00, 0x61]);
    expect(decodeUtf8(be)).toMatchObject({
      ok: false,
      code: 'not-utf8',
      message: 'file is UTF-16, not UTF-8',
    });
  });
});
