/**
 * The I/O edge of loading: expand path arguments into policy files, read each one under a
 * size cap, and decode it as UTF-8. Every failure becomes a diagnostic; nothing here throws
 * for a user's file.
 */
import type { Stats } from 'node:fs';
import { lstat, open, readdir, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import { type Diagnostic, type DiagnosticCode, FILE_START } from '../diagnostics.js';

export const DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024;
const POLICY_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export interface ReadOptions {
  cwd: string;
  /** Bytes; larger files are refused unread. */
  maxFileSize?: number;
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

export function isPolicyFileName(name: string): boolean {
  return POLICY_EXTENSIONS.has(extname(name).toLowerCase()) && !name.endsWith('.test.yaml');
}

export async function readPolicyFiles(paths: readonly string[], options: ReadOptions): Promise<ReadResult> {
  const diagnostics: Diagnostic[] = [];
  const fail = (file: string, code: DiagnosticCode, message: string, hint?: string, at = FILE_START) =>
    diagnostics.push({
      code,
      severity: 'error',
      file,
      pointer: '',
      document: 0,
      ...at,
      message,
      ...(hint ? { hint } : {}),
    });
  const display = (absolute: string) => {
    const rel = relative(options.cwd, absolute);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : absolute;
  };

  const files: string[] = [];
  const seenFiles = new Set<string>();
  for (const arg of paths) {
    const absolute = resolve(options.cwd, arg);
    let info: Stats;
    try {
      info = await stat(absolute);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ELOOP') fail(arg, 'symlink-loop', 'symbolic link loop');
      else if (code === 'ENOENT') fail(arg, 'path-not-found', 'no such file or directory');
      else fail(arg, 'unreadable-file', describeErrno(error));
      continue;
    }
    if (info.isDirectory()) {
      const found: string[] = [];
      const reported = diagnostics.length;
      await walk(absolute, found, new Set(), (file, code, message) => fail(display(file), code, message));
      // Policy files that could not be read are already reported; "holds none" would be wrong.
      if (found.length === 0 && diagnostics.length === reported) {
        fail(arg, 'no-policy-files', 'directory holds no .yaml, .yml or .json files');
      }
      files.push(...found);
    } else {
      // A file named explicitly is read whatever its extension; JSON when it says so.
      files.push(absolute);
    }
  }

  const sources: SourceText[] = [];
  for (const absolute of files) {
    if (seenFiles.has(absolute)) continue;
    seenFiles.add(absolute);
    const file = display(absolute);
    const read = await readCapped(absolute, options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE);
    if (!read.ok) {
      fail(file, read.code, read.message, read.hint);
      continue;
    }
    const decoded = decodeUtf8(read.bytes);
    if (!decoded.ok) {
      fail(file, decoded.code, decoded.message, decoded.hint, {
        line: decoded.line,
        column: decoded.column,
        endLine: decoded.line,
        endColumn: decoded.column,
      });
      continue;
    }
    sources.push({
      file,
      text: decoded.text,
      kind: extname(absolute).toLowerCase() === '.json' ? 'json' : 'yaml',
    });
  }
  return { sources, diagnostics };
}

type Fail = (file: string, code: DiagnosticCode, message: string) => void;

/**
 * Depth-first, sorted by name so that output is stable. `ancestors` holds the real paths of
 * the directories on the current branch: a link back into one of them is a loop.
 */
async function walk(dir: string, out: string[], ancestors: Set<string>, fail: Fail): Promise<void> {
  let real: string;
  try {
    real = await realpath(dir);
  } catch (error) {
    fail(dir, errnoCode(error) === 'ELOOP' ? 'symlink-loop' : 'unreadable-file', describeErrno(error));
    return;
  }
  if (ancestors.has(real)) {
    fail(dir, 'symlink-loop', 'symbolic link points back into a directory being read');
    return;
  }
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (error) {
    fail(dir, 'unreadable-file', describeErrno(error));
    return;
  }
  const branch = new Set(ancestors).add(real);
  for (const name of names) {
    if (name.startsWith('.') || name === 'node_modules') continue;
    const path = join(dir, name);
    let info: Stats;
    try {
      info = await stat(path);
    } catch (error) {
      const code = errnoCode(error);
      // A dangling link that is not a policy file is none of our business.
      if (code === 'ENOENT' && !isPolicyFileName(name)) continue;
      const looped = code === 'ELOOP';
      fail(path, looped ? 'symlink-loop' : 'unreadable-file', looped ? 'symbolic link loop' : describeErrno(error));
      continue;
    }
    if (info.isDirectory()) await walk(path, out, branch, fail);
    else if (isPolicyFileName(name)) out.push(path);
  }
}

type CappedRead =
  | { ok: true; bytes: Buffer }
  | { ok: false; code: DiagnosticCode; message: string; hint?: string };

async function readCapped(path: string, cap: number): Promise<CappedRead> {
  try {
    const info = await lstat(path).then((l) => (l.isSymbolicLink() ? stat(path) : l));
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
    // Read at most cap + 1 bytes: a file that grows between stat and read is still capped.
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(cap + 1, Math.max(info.size, 0) + 1));
      let length = 0;
      while (length < buffer.length) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
        if (bytesRead === 0) break;
        length += bytesRead;
      }
      if (length > cap) {
        return { ok: false, code: 'file-too-large', message: `file is over the ${formatBytes(cap)} cap` };
      }
      return { ok: true, bytes: buffer.subarray(0, length) };
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = errnoCode(error);
    return {
      ok: false,
      code: code === 'ELOOP' ? 'symlink-loop' : 'unreadable-file',
      message: describeErrno(error),
    };
  }
}

type Decoded =
  | { ok: true; text: string }
  | { ok: false; code: DiagnosticCode; message: string; hint?: string; line: number; column: number };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function decodeUtf8(bytes: Uint8Array): Decoded {
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const { line, column } = lineColumnOfByte(bytes, nul);
    const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
    return {
      ok: false,
      code: utf16 ? 'not-utf8' : 'binary-file',
      message: utf16 ? 'file is UTF-16, not UTF-8' : 'file holds NUL bytes: not a text file',
      ...(utf16 ? { hint: 'save it as UTF-8' } : {}),
      line,
      column,
    };
  }
  try {
    return { ok: true, text: utf8.decode(bytes) };
  } catch {
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
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] ?? 0;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b < 0xe0 ? 1 : b >= 0xe0 && b < 0xf0 ? 2 : b >= 0xf0 && b < 0xf5 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    // Overlong 3/4-byte forms and surrogates are what TextDecoder rejects beyond the above.
    const c1 = bytes[i + 1] ?? 0;
    if ((b === 0xe0 && c1 < 0xa0) || (b === 0xed && c1 >= 0xa0) || (b === 0xf0 && c1 < 0x90) || (b === 0xf4 && c1 >= 0x90)) {
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

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

function describeErrno(error: unknown): string {
  switch (errnoCode(error)) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'no such file or directory (a broken link?)';
    case 'ELOOP':
      return 'symbolic link loop';
    case 'EISDIR':
      return 'is a directory';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
  return `${n} B`;
}
