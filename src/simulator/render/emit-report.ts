/**
 * Where a rendered report goes: stdout, or with `-o FILE` a file written atomically (a
 * temporary file beside it, then rename), so that a CI step publishing the file never picks up
 * half a report, and stdout stays empty.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../../errors.js';
import type { CommandIO } from '../../io.js';

export async function emitReport(
  text: string,
  output: string | undefined,
  io: Pick<CommandIO, 'cwd' | 'stdout'>,
): Promise<void> {
  if (output === undefined || output === '-') {
    io.stdout(text);
    return;
  }
  await writeAtomically(resolve(io.cwd, output), text);
}

export async function writeAtomically(path: string, content: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now()}`);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temp, content);
    await rename(temp, path);
  } catch (error) {
    // `force` ignores only ENOENT; under a regular file rm itself fails, and that must not
    // replace the error the user needs to see.
    await rm(temp, { force: true }).catch(() => {});
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new InputError(`cannot write ${path}: ${reason}`);
  }
}
