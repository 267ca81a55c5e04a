/**
 * The I/O edge of loading: expand path arguments into policy files, read each one under a
 * size cap, and decode it as UTF-8. Every failure becomes a diagnostic; nothing here throws
 * for a user's file.
 */

import { isUtf8 } from 'node:buffer';
import {
  closeSync,
  constants,
  type Dirent,
  fstatSync,
  openSync,
  readSync,
  type Stats,
} from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import {
  type Diagnostic,
  type DiagnosticCode,
  FILE_START,
  fileDiagnostic,
} from '../diagnostics.js';
import { describeErrno, errnoCode } from '../errno.js';

export const DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024;
/** Enough to keep the thread pool busy without holding many large files at once. */
const READ_CONCURRENCY = 16;
const POLICY_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export interface ReadOptions {
  cwd: string;
  /** Bytes; larger files are refused unread. */
  maxFileSize?: number;
  /**
   * The files taken from a directory, by name: policy files unless said otherwise (`aegis
   * test` reads its test files with isTestFileName). A file named on its own is always read.
   */
  accept?: (name: string) => boolean;
}

export interface SourceText {
  /** The path for display: relative to cwd when under it, else absolute. */
  file: string;
  text: string;
  kind: 'yaml' | 'json';
}

export interface ReadResult {
  sources: SourceText[];
  diagnostics: Diagnostic[];
}

/** Policy files in a directory: YAML and JSON, except `aegis test`'s test files. */
export function isPolicyFileName(name: string): boolean {
  return POLICY_EXTENSIONS.has(extname(name).toLowerCase()) && !isTestFileName(name);
}

/** `aegis test`'s test files: `*.test.yaml` (or `.test.yml`). */
export function isTestFileName(name: string): boolean {
  return /\.test\.ya?ml$/i.test(name);
}

export async function readPolicyFiles(
  paths: readonly string[],
  options: ReadOptions,
): Promise<ReadResult> {
  const { files, diagnostics } = await findFiles(paths, options);
  const fail = (
    file: string,
    code: DiagnosticCode,
    message: string,
    hint?: string,
    at = FILE_START,
  ) => diagnostics.push(fileDiagnostic(code, file, at, message, hint));
  const display = displayPath(options.cwd);
  const seenFiles = new Set<string>();
  const sources: SourceText[] = [];
  const unique = files.filter((f) => !seenFiles.has(f) && seenFiles.add(f));
  const reads = unique.map((absolute) =>
    readCapped(absolute, options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE),
  );
  unique.forEach((absolute, i) => {
    const file = display(absolute);
    const read = reads[i];
    if (!read) return;
    if (!read.ok) {
      fail(file, read.code, read.message, read.hint);
      return;
    }
    const decoded = decodeUtf8(read.bytes);
    if (!decoded.ok) {
      fail(file, decoded.code, decoded.message, decoded.hint, {
        line: decoded.line,
        column: decoded.column,
        endLine: decoded.line,
        endColumn: decoded.column,
      });
      return;
    }
    sources.push({
      file,
      text: decoded.text,
      kind: extname(absolute).toLowerCase() === '.json' ? 'json' : 'yaml',
    });
  });
  return { sources, diagnostics };
}

/** A path for messages: relative to `cwd` when under it, else absolute. */
function displayPath(cwd: string): (absolute: string) => string {
  return (absolute) => {
    const rel = relative(cwd, absolute);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : absolute;
  };
}

/**
 * The files the path arguments name (absolute, in argument order, directories walked in name
 * order), without reading them; what cannot be looked at becomes a diagnostic.
 */
export async function findFiles(
  paths: readonly string[],
  options: ReadOptions,
): Promise<{ files: string[]; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const fail = (file: string, code: DiagnosticCode, message: string) =>
    diagnostics.push(fileDiagnostic(code, file, FILE_START, message));
  const display = displayPath(options.cwd);
  const accept = options.accept ?? isPolicyFileName;
  const files: string[] = [];
  for (const arg of paths) {
    const absolute = resolve(options.cwd, arg);
    let info: Stats;
    try {
      info = await stat(absolute);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ELOOP') fail(arg, 'symlink-loop', 'symbolic link loop');
      else if (code === 'ENOENT') fail(arg, 'path-not-found', 'no such file or directory');
      else fail(arg, 'unreadable-file', describeReadError(error));
      continue;
    }
    if (info.isDirectory()) {
      const found: string[] = [];
      const reported = diagnostics.length;
      await walk(absolute, found, new Set(), accept, (file, code, message) =>
        fail(display(file), code, message),
      );
      // Policy files that could not be read are already reported; "holds none" would be wrong.
      if (found.length === 0 && diagnostics.length === reported && accept === isPolicyFileName) {
        fail(arg, 'no-policy-files', 'directory holds no .yaml, .yml or .json files');
      }
      files.push(...found);
    } else {
      // A file named explicitly is read whatever its extension; JSON when it says so.
      files.push(absolute);
    }
  }
  return { files, diagnostics };
}

type Fail = (file: string, code: DiagnosticCode, message: string) => void;

/**
 * Depth-first, sorted by name so that output is stable. `ancestors` holds the real paths of
 * the directories on the current branch: a link back into one of them is a loop.
 */
async function walk(
  dir: string,
  out: string[],
  ancestors: Set<string>,
  accept: (name: string) => boolean,
  fail: Fail,
): Promise<void> {
  let real: string;
  try {
    real = await realpath(dir);
  } catch (error) {
    fail(
      dir,
      errnoCode(error) === 'ELOOP' ? 'symlink-loop' : 'unreadable-file',
      describeReadError(error),
    );
    return;
  }
  if (ancestors.has(real)) {
    fail(dir, 'symlink-loop', 'symbolic link points back into a directory being read');
    return;
  }
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    fail(dir, 'unreadable-file', describeReadError(error));
    return;
  }
  const branch = new Set(ancestors).add(real);
  const visible = entries
    .filter(({ name }) => !name.startsWith('.') && name !== 'node_modules')
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // A plain file or directory is what its entry says; only links (and the rare file system
  // that reports no type) need a stat to see what they lead to.
  type Looked = { ok: true; info: Stats | Dirent } | { ok: false; error: unknown };
  const stats = await mapLimit(
    visible,
    READ_CONCURRENCY,
    (entry): Promise<Looked> =>
      entry.isFile() || entry.isDirectory()
        ? Promise.resolve({ ok: true as const, info: entry })
        : stat(join(dir, entry.name)).then(
            (info) => ({ ok: true as const, info }),
            (error: unknown) => ({ ok: false as const, error }),
          ),
  );
  for (const [i, { name }] of visible.entries()) {
    const path = join(dir, name);
    const result = stats[i];
    if (!result) continue;
    let info: Stats | Dirent;
    try {
      if (!result.ok) throw result.error;
      info = result.info;
    } catch (error) {
      const code = errnoCode(error);
      // A dangling link that is not a policy file is none of our business.
      if (code === 'ENOENT' && !accept(name)) continue;
      const looped = code === 'ELOOP';
      fail(
        path,
        looped ? 'symlink-loop' : 'unreadable-file',
        looped ? 'symbolic link loop' : describeReadError(error),
      );
      continue;
    }
    if (info.isDirectory()) await walk(path, out, branch, accept, fail);
    else if (accept(name)) out.push(path);
  }
}

type CappedRead =
  | { ok: true; bytes: Buffer }
  | { ok: false; code: DiagnosticCode; message: string; hint?: string };

/**
 * Synchronous on purpose: a thousand small files read in a few milliseconds this way, against
 * a quarter of a second through the thread pool. Opened non-blocking and checked with fstat
 * on the open descriptor, so a FIFO (or a file swapped for one after the directory walk) is
 * refused instead of hanging the read.
 */
function readCapped(path: string, cap: number): CappedRead {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const info = fstatSync(fd);
    if (!info.isFile()) {
      return { ok: false, code: 'unreadable-file', message: 'not a regular file' };
    }
    if (info.size > cap) {
      return {
        ok: false,
        code: 'file-too-large',
        message: `file is ${formatBytes(info.size)}, over the ${formatBytes(cap)} cap`,
        hint: 'split it, or raise the cap with --max-file-size',
      };
    }
    // Read at most cap + 1 bytes: a file that grows between fstat and read is still capped.
    const buffer = Buffer.alloc(Math.min(cap + 1, Math.max(info.size, 0) + 1));
    let length = 0;
    while (length < buffer.length) {
      const wanted = buffer.length - length;
      const bytesRead = readSync(fd, buffer, length, wanted, length);
      length += bytesRead;
      // A regular file reads short only at its end: once the size fstat gave is in, a short
      // read is the end, without a second call to see 0 (a thousand files, a thousand calls).
      if (bytesRead === 0 || (bytesRead < wanted && length >= info.size)) break;
    }
    if (length > cap) {
      return {
        ok: false,
        code: 'file-too-large',
        message: `file is over the ${formatBytes(cap)} cap`,
      };
    }
    return { ok: true, bytes: buffer.subarray(0, length) };
  } catch (error) {
    const code = errnoCode(error);
    return {
      ok: false,
      code: code === 'ELOOP' ? 'symlink-loop' : 'unreadable-file',
      message: describeReadError(error),
    };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

type Decoded =
  | { ok: true; text: string }
  | {
      ok: false;
      code: DiagnosticCode;
      message: string;
      hint?: string;
      line: number;
      column: number;
    };

export function decodeUtf8(bytes: Uint8Array): Decoded {
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const { line, column } = lineColumnOfByte(bytes, nul);
    const utf16 =
      (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
    return {
      ok: false,
      code: utf16 ? 'not-utf8' : 'binary-file',
      message: utf16 ? 'file is UTF-16, not UTF-8' : 'file holds NUL bytes: not a text file',
      ...(utf16 ? { hint: 'save it as UTF-8' } : {}),
      line,
      column,
    };
  }
  if (isUtf8(bytes)) {
    // A leading byte order mark is not part of the text (as TextDecoder would drop it).
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { ok: true, text: buffer.toString('utf8', bom) };
  }
  const bad = firstInvalidUtf8(bytes);
  const { line, column } = lineColumnOfByte(bytes, bad);
  return {
    ok: false,
    code: 'not-utf8',
    message: `file is not valid UTF-8 (byte 0x${(bytes[bad] ?? 0).toString(16).padStart(2, '0')} at offset ${bad})`,
    hint: 'save it as UTF-8',
    line,
    column,
  };
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    const need =
      b < 0x80
        ? 0
        : b >= 0xc2 && b < 0xe0
          ? 1
          : b >= 0xe0 && b < 0xf0
            ? 2
            : b >= 0xf0 && b < 0xf5
              ? 3
              : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    // Overlong 3/4-byte forms and surrogates are what TextDecoder rejects beyond the above.
    const c1 = bytes[i + 1] ?? 0;
    if (
      (b === 0xe0 && c1 < 0xa0) ||
      (b === 0xed && c1 >= 0xa0) ||
      (b === 0xf0 && c1 < 0x90) ||
      (b === 0xf4 && c1 >= 0x90)
    ) {
      return i;
    }
    i += need + 1;
  }
  return Math.max(0, bytes.length - 1);
}

function lineColumnOfByte(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** describeErrno, where a missing file is most likely a link to nothing. */
function describeReadError(error: unknown): string {
  return errnoCode(error) === 'ENOENT'
    ? 'no such file or directory (a broken link?)'
    : describeErrno(error);
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
  return `${n} B`;
}

/** Like Promise.all over `items.map(fn)`, with at most `limit` calls in flight. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
