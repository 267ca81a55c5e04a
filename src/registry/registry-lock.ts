/**
 * An exclusive lock over a registry directory, which a holder killed mid-change (SIGKILL, a
 * power cut) cannot leave locked for good: a lock whose owner is gone is stale and taken over.
 *
 * The lock is a directory, `lock`, holding one empty file named `<pid>-<random>` after its
 * owner. Why it is race-free, which a lock *file* is not (with a file, two processes that
 * both found a stale lock could both remove "it", the second removing the fresh lock the first
 * had just taken, and both went on to write the index):
 *
 * - Taking: the owner file is made in a private directory `.lock-<pid>-<random>`, which is then
 *   renamed to `lock`. rename(2) of a directory succeeds only where nothing, or an empty
 *   directory, is; onto a non-empty one it fails (ENOTEMPTY or EEXIST), atomically. So the lock
 *   never exists without its owner file, and at most one non-empty `lock` exists at a time.
 *   Holding the lock means: `lock` holds my owner file.
 * - Releasing and taking over are the same step: unlinking one owner file by its name. Names
 *   are unique (pid and 64 random bits) and a file is only ever in the directory renamed into
 *   place with it, so of everyone who tries to unlink a given name exactly one succeeds, and it
 *   can only remove the claim it inspected: someone who judged an owner dead after another
 *   process already took over gets ENOENT, and never touches the new owner's file, whose name
 *   is another. A dead owner's file has no other remover, so it stays until taken over.
 * - A `lock` directory left empty (by a release or a takeover, or a process killed between
 *   the two steps of either) is free: rename replaces it, and anyone may rmdir it, which
 *   fails (ENOTEMPTY) once someone has renamed a non-empty one into its place.
 *
 * A regular file at `lock` comes from an older aegis (or `echo PID > lock`). It is honoured
 * while its pid lives; a stale one is unlinked, which cannot remove a directory lock (unlink
 * refuses directories), so only an older aegis running at the same moment could lose a lock.
 *
 * Liveness is `kill(pid, 0)` on this machine: a registry shared between machines (or PID
 * namespaces) needs its changes run from one of them.
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, readFile, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../errno.js';
import { InputError } from '../errors.js';

const LOCK = 'lock';
const RETRY_MS = 15;
const OWNER = /^([0-9]{1,10})-[0-9a-f]{16}$/;
/** What rename answers when `lock` is held (ENOTEMPTY, EEXIST), or a file (ENOTDIR), or on
 * platforms that do not replace an empty directory (EPERM). */
const TAKEN = new Set(['ENOTEMPTY', 'EEXIST', 'ENOTDIR', 'EPERM']);
/** Rename failed yet no lock was there this many times in a row: the failure is real. */
const MAX_VANISHED = 50;

export async function withRegistryLock<T>(
  dir: string,
  work: () => Promise<T>,
  timeoutMs = 30_000,
): Promise<T> {
  const lock = join(dir, LOCK);
  const owner = `${process.pid}-${randomBytes(8).toString('hex')}`;
  const candidate = join(dir, `.lock-${owner}`);
  try {
    await mkdir(candidate);
    await (await open(join(candidate, owner), 'wx')).close();
  } catch (error) {
    await rm(candidate, { recursive: true, force: true }).catch(() => {});
    throw cannotLock(lock, error);
  }
  try {
    await acquire(dir, lock, candidate, Date.now() + timeoutMs);
  } catch (error) {
    await rm(candidate, { recursive: true, force: true }).catch(() => {});
    throw error;
  }
  try {
    return await work();
  } finally {
    // Best effort: a lock this process fails to remove is stale once it exits.
    await removeOwner(lock, owner).catch(() => {});
  }
}

async function acquire(dir: string, lock: string, candidate: string, deadline: number) {
  let vanished = 0;
  for (;;) {
    try {
      await rename(candidate, lock);
      return;
    } catch (error) {
      if (!TAKEN.has(errnoCode(error) ?? '')) throw cannotLock(lock, error);
      const state = await inspect(lock);
      if (state.kind === 'missing') {
        // Released between the rename and the look; a rename that keeps failing with no lock
        // there is not contention (EPERM from the file system, say).
        if (++vanished >= MAX_VANISHED) throw cannotLock(lock, error);
        continue;
      }
      vanished = 0;
      if (state.kind === 'free') {
        await removeEmpty(lock);
        continue;
      }
      if (state.kind === 'stale') {
        await takeOver(lock, state);
        continue;
      }
      if (Date.now() > deadline) {
        throw new InputError(
          `the registry ${dir} is locked by another process (${state.pid !== undefined ? `pid ${state.pid}, ` : ''}${lock})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}

type LockState =
  | { kind: 'missing' }
  /** An empty `lock` directory. */
  | { kind: 'free' }
  /** pid: unknown while an older aegis is still writing its lock file. */
  | { kind: 'held'; pid?: number }
  /** Owners that are gone: owner file names in the directory, or an old-style lock file. */
  | { kind: 'stale'; owners: string[] }
  | { kind: 'stale'; file: true };

async function inspect(lock: string): Promise<LockState> {
  let directory: boolean;
  try {
    directory = (await lstat(lock)).isDirectory();
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { kind: 'missing' };
    throw cannotLock(lock, error);
  }
  if (!directory) return inspectFile(lock);
  let names: string[];
  try {
    names = await readdir(lock);
  } catch (error) {
    // Replaced by a file, or removed, in the meantime: look again.
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return { kind: 'missing' };
    throw cannotLock(lock, error);
  }
  if (names.length === 0) return { kind: 'free' };
  const dead: string[] = [];
  for (const name of names) {
    const pid = Number(OWNER.exec(name)?.[1]);
    if (!Number.isSafeInteger(pid)) {
      throw new InputError(
        `the registry lock ${lock} holds ${JSON.stringify(name)}, which aegis did not put there`,
        `if no aegis is changing this registry, remove ${lock}`,
      );
    }
    if (isAlive(pid)) return { kind: 'held', pid };
    dead.push(name);
  }
  return { kind: 'stale', owners: dead };
}

/** An older aegis's lock: a file holding its owner's pid. */
async function inspectFile(lock: string): Promise<LockState> {
  let text: string;
  try {
    text = await readFile(lock, 'utf8');
  } catch {
    return { kind: 'missing' }; // Released (or replaced) meanwhile: look again.
  }
  const pid = Number(text.trim());
  // Empty: its owner died between creating and writing it, or is writing it now.
  if (text === '') {
    const age = await lstat(lock).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    return age > 2_000 ? { kind: 'stale', file: true } : { kind: 'held' };
  }
  if (isAlive(pid)) return { kind: 'held', pid };
  return { kind: 'stale', file: true };
}

async function takeOver(lock: string, state: Extract<LockState, { kind: 'stale' }>) {
  if ('file' in state) {
    // ENOENT: someone else took it over. EISDIR/EPERM: a directory lock is there now, which
    // unlink never removes.
    await unlink(lock).catch((error: unknown) => {
      if (!['ENOENT', 'EISDIR', 'EPERM'].includes(errnoCode(error) ?? '')) throw error;
    });
    return;
  }
  for (const owner of state.owners) await removeOwner(lock, owner);
}

/** Unlinks one owner's file (ENOENT: already gone, taken over by someone else), then frees `lock`. */
async function removeOwner(lock: string, owner: string): Promise<void> {
  await unlink(join(lock, owner)).catch((error: unknown) => {
    if (errnoCode(error) !== 'ENOENT') throw cannotLock(lock, error);
  });
  await removeEmpty(lock);
}

/** rmdir only removes an empty directory: a lock someone has taken meanwhile stays. */
async function removeEmpty(lock: string): Promise<void> {
  await rmdir(lock).catch((error: unknown) => {
    if (!['ENOENT', 'ENOTEMPTY', 'EEXIST', 'ENOTDIR'].includes(errnoCode(error) ?? ''))
      throw cannotLock(lock, error);
  });
}

function isAlive(pid: number): boolean {
  // Not a pid a process can have (kill() would signal a process group, or throw).
  if (!Number.isSafeInteger(pid) || pid <= 0 || pid > 0x7fffffff) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's process.
    return errnoCode(error) !== 'ESRCH';
  }
}

function cannotLock(lock: string, error: unknown): InputError {
  return new InputError(`cannot lock the registry (${lock}): ${errnoCode(error) ?? String(error)}`);
}
