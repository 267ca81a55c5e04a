/**
 * `mkdir -p` for directories a user names (`-o`, `--out`, `--registry`, `init DIR`). Node's own
 * `mkdir(dir, { recursive: true })` never returns where mkdir answers ENOENT for a directory
 * that exists (under /proc or /sys, `aegis compile -o /proc/x/b.tar.gz` spun at full CPU for
 * good): it takes ENOENT to mean a missing parent, makes the parent, which exists, and tries
 * again. Here each missing directory is made once, from the first one that exists down, and
 * any error comes back as the error of the directory it happened on.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { errnoCode } from './errno.js';

export async function makeDirectory(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let at = resolve(dir); ; ) {
    const info = await stat(at).catch((error: unknown) => {
      if (errnoCode(error) === 'ENOENT') return undefined;
      throw error;
    });
    if (info?.isDirectory()) break;
    if (info) throw Object.assign(new Error(`${at} is not a directory`), { code: 'ENOTDIR' });
    missing.push(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const path of missing.reverse()) {
    await mkdir(path).catch((error: unknown) => {
      // Made in the meantime by someone else: as good.
      if (errnoCode(error) !== 'EEXIST') throw error;
    });
  }
}
