/**
 * An exclusive lock over a registry directory: a `lock` file created with O_EXCL holding the
 * owner's pid. A lock whose owner is gone (killed mid-publish) is stale and taken over.
 */
import { open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../errno.js';
import { InputError } from '../errors.js';

const LOCK_FILE = 'lock';
const RETRY_MS = 15;

export async function withRegistryLock<T>(
  dir: string,
  work: () => Promise<T>,
  timeoutMs = 30_000,
): Promise<T> {
  const path = join(dir, LOCK_FILE);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await tryAcquire(path)) break;
    if (await isStale(path)) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new InputError(`the registry ${dir} is locked by another process (${path})`);
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
  try {
    return await work();
  } finally {
    await rm(path, { force: true });
  }
}

async function tryAcquire(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx', 0o644);
    try {
      await handle.writeFile(`${process.pid}\n`);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw new InputError(
      `cannot lock the registry (${path}): ${errnoCode(error) ?? String(error)}`,
    );
  }
}

async function isStale(path: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return false; // Released meanwhile: the next attempt takes it.
  }
  const pid = Number(text.trim());
  // Empty: the owner died between creating and writing the file, or is writing it now.
  if (!Number.isSafeInteger(pid) || pid <= 0) return text === '' ? await olderThan(path) : true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return errnoCode(error) === 'ESRCH';
  }
}

async function olderThan(path: string, ms = 2_000): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs > ms;
  } catch {
    return false;
  }
}
