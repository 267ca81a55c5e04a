/**
 * Where a rendered report goes: stdout, or with `-o FILE` a file written atomically (a
 * temporary file beside it, then rename), so that a CI step publishing the file never picks up
 * half a report, and stdout stays empty.
 */
import { resolve } from 'node:path';
import { writeFileAtomically } from '../../bundle/write-file-atomically.js';
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
  await writeFileAtomically(resolve(io.cwd, output), text);
}
