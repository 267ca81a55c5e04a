/** Write beside the target, then rename: a reader never sees a half-written bundle. */
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describeErrno } from '../errno.js';
import { InputError } from '../errors.js';
import { makeDirectory } from '../make-directory.js';

export async function writeFileAtomically(
  path: string,
  content: Uint8Array | string,
): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now()}`);
  try {
    await makeDirectory(dirname(path));
    await writeFile(temp, content);
    await rename(temp, path);
  } catch (error) {
    // `force` ignores only ENOENT, so a failing rm cannot hide the error the user needs.
    await rm(temp, { force: true }).catch(() => {});
    throw new InputError(`cannot write ${path}: ${describeErrno(error)}`);
  }
}
