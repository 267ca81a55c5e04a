/**
 * Trace arguments -> the sources to read, in order: each argument in command-line order, a
 * directory as every file below it sorted by path, a glob as its sorted matches, `-` as
 * standard input, each file once however many paths lead to it. A path that names nothing (a
 * glob that matches nothing, a directory with no files below it) is the user's mistake and
 * throws InputError before anything is read; a file or directory that exists but cannot be
 * read, and a broken symbolic link found in a directory or matched by a glob, become an
 * `unreadable` source, which the reader reports as a malformed record so that one bad file
 * among many does not stop a replay (and `--strict` fails the run).
 */
import { type BigIntStats, type Dirent, fstatSync } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { describeErrno, errnoCode } from '../../errno.js';
import { InputError } from '../../errors.js';
import { expandGlob, hasGlobMagic } from './glob.js';

export const STDIN_NAME = '<stdin>';

const BROKEN_LINK = 'broken symbolic link (its target does not exist)';

export type TraceSource =
  /** `regular`: a regular file, which can be read again from the start (not a pipe or device). */
  | { kind: 'file'; path: string; file: string; regular: boolean }
  /** `opened`: standard input is a regular file (`< trace.jsonl`), which an output must not be. */
  | { kind: 'stdin'; file: string; opened?: { dev: bigint; ino: bigint } }
  | { kind: 'unreadable'; file: string; error: string };

export interface ExpandOptions {
  /** The descriptor a `-` reads, to look at first; without it, `-` is read as it comes. */
  stdinFd?: number;
}

export async function expandTracePaths(
  paths: readonly string[],
  cwd: string,
  options: ExpandOptions = {},
): Promise<TraceSource[]> {
  const display = (absolute: string) => {
    const rel = relative(cwd, absolute);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : absolute;
  };
  const sources: TraceSource[] = [];
  const seen = new Set<string>();
  const addFile = (absolute: string, info: BigIntStats) => {
    // A file reached twice (`traces/ traces/a.jsonl`, a `current.jsonl` link beside the file it
    // points to, a hard link) is read once, where it came first: replayed twice, every call
    // would count twice towards the rate limits. Compared as the file system knows it (device
    // and inode), since no spelling of a path is the only one.
    const identity = `${info.dev}:${info.ino}`;
    if (seen.has(identity)) return;
    seen.add(identity);
    sources.push({ kind: 'file', path: absolute, file: display(absolute), regular: info.isFile() });
  };
  const addPath = async (absolute: string, arg: string, matched = false) => {
    let info: BigIntStats;
    try {
      info = await stat(absolute, { bigint: true });
    } catch (error) {
      // A glob's match that is a link to nothing is read as a directory's would be.
      if (matched && errnoCode(error) === 'ENOENT' && (await isSymbolicLink(absolute))) {
        sources.push({ kind: 'unreadable', file: display(absolute), error: BROKEN_LINK });
        return;
      }
      if (errnoCode(error) === 'ENOENT') {
        throw new InputError(`${arg}: no such file or directory`);
      }
      sources.push({ kind: 'unreadable', file: display(absolute), error: describeErrno(error) });
      return;
    }
    if (!info.isDirectory()) {
      // A pipe or a device named outright (`<(zcat a.gz)`, /dev/stdin) is read as it comes.
      addFile(absolute, info);
      return;
    }
    let found = 0;
    const addFound = (file: string, fileInfo: BigIntStats) => {
      found++;
      addFile(file, fileInfo);
    };
    await walk(absolute, new Set(), addFound, (path, error) => {
      found++;
      sources.push({ kind: 'unreadable', file: display(path), error });
    });
    // As for a glob: a replay of nothing would pass any gate (a trace download that failed).
    if (found === 0) throw new InputError(`${arg}: the directory holds no trace files`);
  };

  for (const arg of paths) {
    if (arg === '-') {
      if (!sources.some((s) => s.file === STDIN_NAME)) sources.push(stdinSource(options.stdinFd));
      continue;
    }
    const absolute = resolve(cwd, arg);
    if (hasGlobMagic(arg) && !(await exists(absolute))) {
      const matches = await expandGlob(arg, cwd);
      if (matches.length === 0) throw new InputError(`${arg}: no files match this pattern`);
      for (const match of matches) await addPath(match, match, true);
      continue;
    }
    await addPath(absolute, arg);
  }
  return sources;
}

/**
 * `-`: standard input, unless what is behind it cannot be read. A directory there (`< /tmp`)
 * would read as no bytes, an empty trace that passes every gate; it is an unreadable file. A
 * closed standard input cannot be told from /dev/null (Node opens that in its place).
 */
function stdinSource(fd: number | undefined): TraceSource {
  if (fd === undefined) return { kind: 'stdin', file: STDIN_NAME };
  let info: BigIntStats;
  try {
    info = fstatSync(fd, { bigint: true });
  } catch (error) {
    return { kind: 'unreadable', file: STDIN_NAME, error: describeErrno(error) };
  }
  if (info.isDirectory()) {
    return { kind: 'unreadable', file: STDIN_NAME, error: 'standard input is a directory' };
  }
  return info.isFile()
    ? { kind: 'stdin', file: STDIN_NAME, opened: { dev: info.dev, ino: info.ino } }
    : { kind: 'stdin', file: STDIN_NAME };
}

/**
 * Every regular file below `dir`, depth first, sorted by name (code units) at each level, so
 * the order does not depend on the file system. Hidden entries are passed over (`.DS_Store`, `.git`), and so are
 * sockets and FIFOs, which would block the read; `ancestors` holds the real paths of the
 * directories on the current branch, so that a link back into one of them is reported rather
 * than followed forever.
 */
async function walk(
  dir: string,
  ancestors: Set<string>,
  addFile: (path: string, info: BigIntStats) => void,
  fail: (path: string, error: string) => void,
): Promise<void> {
  let real: string;
  let entries: Dirent[];
  try {
    real = await realpath(dir);
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    fail(dir, describeErrno(error));
    return;
  }
  if (ancestors.has(real)) {
    fail(dir, 'symbolic link points back into a directory being read');
    return;
  }
  const branch = new Set(ancestors).add(real);
  const visible = entries
    .filter((entry) => !entry.name.startsWith('.'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of visible) {
    const path = join(dir, entry.name);
    let info: BigIntStats;
    try {
      info = await stat(path, { bigint: true });
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') fail(path, describeErrno(error));
      // A link to nothing (`current.jsonl` after its file was rotated away) is a trace that
      // cannot be read, as `validate` says of a policy; a file gone since the listing is not.
      else if (entry.isSymbolicLink()) fail(path, BROKEN_LINK);
      continue;
    }
    if (info.isDirectory()) await walk(path, branch, addFile, fail);
    else if (info.isFile()) addFile(path, info);
  }
}

async function isSymbolicLink(path: string): Promise<boolean> {
  return lstat(path).then(
    (info) => info.isSymbolicLink(),
    () => false,
  );
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
