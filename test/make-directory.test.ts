import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDirectory } from '../src/make-directory.js';

const root = mkdtempSync(join(tmpdir(), 'aegis-mkdir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('makeDirectory', () => {
  it('makes every missing directory, and again is no error', async () => {
    const deep = join(root, 'a', 'b', 'c');
    await makeDirectory(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    await makeDirectory(deep);
    await makeDirectory(root);
  });

  it('many at once on the same path (each mkdir that finds it made is fine)', async () => {
    const path = join(root, 'race', 'x', 'y');
    await Promise.all(Array.from({ length: 8 }, () => makeDirectory(path)));
    expect(statSync(path).isDirectory()).toBe(true);
  });

  it('a file in the way is ENOTDIR', async () => {
    writeFileSync(join(root, 'file'), '');
    await expect(makeDirectory(join(root, 'file'))).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(makeDirectory(join(root, 'file', 'sub'))).rejects.toMatchObject({
      code: 'ENOTDIR',
    });
  });

  it('under /proc, where mkdir says ENOENT of a directory that exists, it ends with that', async () => {
    await expect(makeDirectory('/proc/aegis-cannot-exist/sub')).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });
});
