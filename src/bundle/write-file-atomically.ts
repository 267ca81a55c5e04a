/**
 * Writes an output file (`-o`, `--rego-out`): beside the target, then renamed over it, so a
 * reader never sees a half-written bundle or report.
 *
 * What is at the path decides how. A regular file is replaced by the rename; a symbolic link is
 * followed, and the file it points to replaced (the link stays); a device, FIFO or socket
 * (`/dev/null`, `/dev/stdout`, a named pipe) is written into, as a shell's `>` would, since a
 * rename would put a regular file in its place, and as root even in /dev. A directory, or a
 * link to nothing, is refused.
 *
 * writeFilesAtomically does this for several files as one: every file is written beside its
 * target before any is renamed, so a failure (a full disk, a directory it may not write)
 * leaves every target as it was.
 */
import { lstat, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { describeErrno, errnoCode } from '../errno.js';
import { InputError } from '../errors.js';
import { makeDirectory } from '../make-directory.js';

export async function writeFileAtomically(
  path: string,
  content: Uint8Array | string,
): Promise<void> {
  await writeFilesAtomically([{ path, content }]);
}

export interface FileToWrite {
  path: string;
  content: Uint8Array | string;
}

export async function writeFilesAtomically(files: readonly FileToWrite[]): Promise<void> {
  const staged: { file: FileToWrite; target: Target; temp?: string }[] = [];
  try {
    for (const file of files) {
      const target = await whereToWrite(file.path);
      if (target.kind === 'stream') {
        staged.push({ file, target });
        continue;
      }
      const temp = join(
        dirname(target.path),
        `.${basename(target.path)}.tmp-${process.pid}-${Date.now()}`,
      );
      staged.push({ file, target, temp });
      await cannotWrite(file.path, async () => {
        await makeDirectory(dirname(target.path));
        await writeFile(temp, file.content);
      });
    }
    for (const { file, target, temp } of staged) {
      await cannotWrite(file.path, async () => {
        if (target.kind === 'stream') await writeFile(file.path, file.content);
        else if (temp) await rename(temp, target.path);
      });
    }
  } catch (error) {
    // Whichever file failed, and however (a refused target too): no temporary file stays.
    // `force` ignores only ENOENT, so a failing rm cannot hide the error the user needs.
    await Promise.all(
      staged.map(({ temp }) => (temp ? rm(temp, { force: true }).catch(() => {}) : undefined)),
    );
    throw error;
  }
}

/** Runs `write`, its failure an InputError naming `path`. */
async function cannotWrite(path: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    throw new InputError(`cannot write ${path}: ${describeErrno(error)}`);
  }
}

type Target = { kind: 'file'; path: string } | { kind: 'stream' };

/** The file to replace (the path itself, or where its links lead), or a stream to write into. */
async function whereToWrite(path: string): Promise<Target> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' && (await isLink(path)))
      throw new InputError(
        `cannot write ${path}: it is a symbolic link to a file that does not exist`,
      );
    // Nothing there yet (the directories are made on the way), or an error the write repeats.
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'file', path };
    throw new InputError(`cannot write ${path}: ${describeErrno(error)}`);
  }
  if (info.isDirectory()) throw new InputError(`cannot write ${path}: it is a directory`);
  if (!info.isFile()) return { kind: 'stream' };
  if (!(await isLink(path))) return { kind: 'file', path };
  try {
    return { kind: 'file', path: await realpath(path) };
  } catch (error) {
    throw new InputError(`cannot write ${path}: ${describeErrno(error)}`);
  }
}

async function isLink(path: string): Promise<boolean> {
  try {
    return (await lstat(path)).isSymbolicLink();
  } catch {
    return false;
  }
}
