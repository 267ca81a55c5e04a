/** Write beside the target, then rename: a reader never sees a half-written bundle. */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors.js';

export async function writeFileAtomically(
  path: string,
  content: Uint8Array | string,
): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now()}`);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temp, content);
    await rename(temp, path);
  } catch (error) {
    // `force` ignores only ENOENT, so a failing rm cannot hide the error the user needs.
    await rm(temp, { force: true }).catch(() => {});
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new InputError(`cannot write ${path}: ${reason}`);
  }
}
