import { execFileSync, spawn } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  writeFileAtomically,
  writeFilesAtomically,
} from '../../src/bundle/write-file-atomically.js';
import { InputError } from '../../src/errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'aegis-write-'));
});
afterEach(() => {
  execFileSync('rm', ['-rf', dir]);
});

describe('writeFileAtomically', () => {
  it('creates a file, and the directories on the way', async () => {
    const path = join(dir, 'a', 'b', 'out.json');
    await writeFileAtomically(path, '{}\n');
    expect(readFileSync(path, 'utf8')).toBe('{}\n');
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['out.json']);
  });

  it('replaces a regular file and leaves no temporary file', async () => {
    const path = join(dir, 'out.json');
    writeFileSync(path, 'old');
    await writeFileAtomically(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readdirSync(dir)).toEqual(['out.json']);
  });

  it('follows a symbolic link: the file it points to is replaced, the link stays', async () => {
    mkdirSync(join(dir, 'real'));
    const real = join(dir, 'real', 'report.json');
    writeFileSync(real, 'old');
    const link = join(dir, 'report.json');
    symlinkSync(join('real', 'report.json'), link);
    await writeFileAtomically(link, 'new');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(join('real', 'report.json'));
    expect(readFileSync(real, 'utf8')).toBe('new');
    expect(readdirSync(dir).sort()).toEqual(['real', 'report.json']);
  });

  it('refuses a link to a file that does not exist', async () => {
    const link = join(dir, 'dangling.json');
    symlinkSync(join(dir, 'missing', 'x.json'), link);
    await expect(writeFileAtomically(link, 'x')).rejects.toThrow(
      new InputError(`cannot write ${link}: it is a symbolic link to a file that does not exist`),
    );
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('refuses a directory', async () => {
    await expect(writeFileAtomically(dir, 'x')).rejects.toThrow(
      new InputError(`cannot write ${dir}: it is a directory`),
    );
  });

  it('writes into a device rather than replacing it: /dev/null stays a device', async () => {
    await writeFileAtomically('/dev/null', 'discarded');
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('reports a full device as an input error, and leaves it a device', async () => {
    await expect(writeFileAtomically('/dev/full', 'x')).rejects.toThrow(
      new InputError('cannot write /dev/full: no space left on the device'),
    );
    expect(lstatSync('/dev/full').isCharacterDevice()).toBe(true);
  });

  it('writes into a named pipe, which a reader at the other end receives', async () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    let received = '';
    reader.stdout.on('data', (chunk: Buffer) => {
      received += chunk.toString();
    });
    const closed = new Promise((resolve) => reader.on('close', resolve));
    await writeFileAtomically(fifo, 'through the pipe');
    await closed;
    expect(received).toBe('through the pipe');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['pipe']);
  });
});

describe('writeFilesAtomically', () => {
  it('leaves every target as it was, and no temporary file, when a later target is refused', async () => {
    const first = join(dir, 'bundle.tar.gz');
    writeFileSync(first, 'old');
    mkdirSync(join(dir, 'rego', 'data.json'), { recursive: true });
    const second = join(dir, 'rego', 'data.json');
    await expect(
      writeFilesAtomically([
        { path: first, content: 'new' },
        { path: second, content: '{}' },
      ]),
    ).rejects.toThrow(new InputError(`cannot write ${second}: it is a directory`));
    expect(readFileSync(first, 'utf8')).toBe('old');
    expect(readdirSync(dir).sort()).toEqual(['bundle.tar.gz', 'rego']);
  });
});
