/**
 * For the commands that write a file the user names (`-o`, `--rego-out`): a path that is one of
 * the command's own inputs would be replaced by its output (`-o policies/fintech.yaml`, a slip
 * of the tab key), and a policy file written into a policy directory would be read as a policy
 * next time. Both are refused (exit 2) before anything is written. Files are compared as the
 * file system knows them (device and inode), so a symbolic or hard link to an input is that
 * input.
 */
import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { isPolicyFileName } from '../policy/read-files.js';

/**
 * Throws UsageError when an option that names a file or directory to write was given `-`.
 * `simulate -o -` and `report merge -o -` mean stdout; a bundle, keys or Rego modules are
 * not written there, and a file or directory named `-` is never what was meant.
 */
export function refuseStdoutDash(value: string | undefined, option: string, what: string): void {
  if (value === '-') {
    throw new UsageError(
      `${option} -: aegis does not write ${what} to standard output; name a path`,
    );
  }
}

/**
 * Throws UsageError when a bundle is to be written to a `.pem` file: that name holds keys, and
 * `-o keys/prod.pub.pem` is a slip that would replace one.
 */
export function refuseBundleOverKeyName(path: string, option: string): void {
  if (path.toLowerCase().endsWith('.pem'))
    throw new UsageError(
      `${option} ${path}: a bundle is not written to a .pem file (that name is for keys); name a .tar.gz`,
    );
}

/** An input already open (standard input), as its stat tells it. */
export interface OpenedFile {
  dev: bigint;
  ino: bigint;
}

/**
 * Throws UsageError when a target is one of `inputs` (absolute paths, or files already open).
 * `what` names an input in the message: `${target} is ${what}` ("one of the policy files being
 * compiled").
 */
export function refuseWritingOver(
  targets: readonly string[],
  inputs: readonly (string | OpenedFile)[],
  what: string,
): void {
  const inputSet = new Set(
    inputs.map((input) => (typeof input === 'string' ? fileIdentity(input) : statIdentity(input))),
  );
  for (const target of targets) {
    if (inputSet.has(fileIdentity(target))) {
      throw new UsageError(`${target} is ${what}; write elsewhere`);
    }
  }
}

/** Throws UsageError when two of `targets` (absolute) are one file: one would be lost. */
export function refuseWritingTwice(targets: readonly { path: string; what: string }[]): void {
  const seen = new Map<string, string>();
  for (const { path, what } of targets) {
    const identity = fileIdentity(path);
    const first = seen.get(identity);
    if (first !== undefined)
      throw new UsageError(`${first} and ${what} are one file (${path}); write them apart`);
    seen.set(identity, what);
  }
}

/** What makes two paths one file: device and inode when it exists, else the resolved path. */
function fileIdentity(path: string): string {
  try {
    return statIdentity(statSync(path, { bigint: true }));
  } catch {
    return `path ${realPath(path)}`;
  }
}

/**
 * A file as the file system knows it, from its stat (bigint: an inode number can be past 2^53
 * on some file systems): two paths with one identity are one file, whatever links lead there.
 */
export function statIdentity(info: { dev: bigint; ino: bigint }): string {
  return `inode ${info.dev}:${info.ino}`;
}

/**
 * Throws UsageError when `target` (absolute) is at or below a directory among the policy
 * arguments `paths` and `reads(target)` says the directory would read it.
 */
export function refuseWritingIntoPolicyDirectory(
  target: string,
  paths: readonly string[],
  cwd: string,
  message: (dir: string) => string,
  reads: (target: string) => boolean = (file) => isPolicyFileName(file),
): void {
  if (!reads(target)) return;
  for (const arg of paths) {
    const dir = resolve(cwd, arg);
    if (!isDirectory(dir)) continue;
    if (isAtOrBelow(target, dir) || isAtOrBelow(realPath(target), realPath(dir))) {
      throw new UsageError(message(dir));
    }
  }
}

/** The arguments among `paths` that name files (policies, bundles), absolute; directories are refuseWritingIntoPolicyDirectory's. */
export function policyFileArguments(paths: readonly string[], cwd: string): string[] {
  return paths.map((arg) => resolve(cwd, arg)).filter((path) => !isDirectory(path));
}

function isAtOrBelow(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The path with links resolved; for a path that does not exist yet, its directory's links
 * resolved (no input is there, but another spelling of it may be another output).
 */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    try {
      return join(realpathSync(dirname(path)), basename(path));
    } catch {
      return path;
    }
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
