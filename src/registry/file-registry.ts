/**
 * The `file:` registry, a directory:
 *   index.json              versions, channels and history (the commit point, see registry-index)
 *   bundles/<version>.tar.gz  immutable bundle bytes
 *   lock/                   held during a change (see registry-lock: a directory naming its owner)
 * A change writes the bundle first (temp + fsync + rename; without an index entry it is
 * invisible and overwritten by the next publish of that version), then renames the new index
 * into place. A crash before that rename leaves the registry as before, after it as after.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeErrno, errnoCode } from '../errno.js';
import { InputError, isUserError } from '../errors.js';
import { makeDirectory } from '../make-directory.js';
import { crashPoint } from './crash-point.js';
import { durableWrite } from './durable-write.js';
import type {
  ChangeInfo,
  GetResult,
  HistoryEntry,
  PutResult,
  Registry,
  SetChannelResult,
} from './registry.js';
import { channelMap, channelVersion, isValidName } from './registry.js';
import { REGISTRY_INDEX_FILE, type RegistryIndex, readRegistryIndex } from './registry-index.js';
import { withRegistryLock } from './registry-lock.js';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class FileRegistry implements Registry {
  constructor(readonly dir: string) {}

  get indexPath(): string {
    return join(this.dir, REGISTRY_INDEX_FILE);
  }

  bundlePath(version: string): string {
    return join(this.dir, 'bundles', `${version}.tar.gz`);
  }

  readIndex(): Promise<RegistryIndex> {
    return readRegistryIndex(this.indexPath);
  }

  async list(): Promise<string[]> {
    return (await this.readIndex()).versions.map((v) => v.version);
  }

  async channels(): Promise<Record<string, string>> {
    return channelMap(Object.entries((await this.readIndex()).channels));
  }

  async history(channel?: string): Promise<HistoryEntry[]> {
    const { history } = await this.readIndex();
    return channel === undefined ? history : history.filter((e) => e.channel === channel);
  }

  async get(version: string): Promise<GetResult> {
    if (!isValidName(version)) return { ok: false, reason: 'not-found' };
    const index = await this.readIndex();
    const entry = index.versions.find((v) => v.version === version);
    if (!entry) return { ok: false, reason: 'not-found' };
    let bytes: Uint8Array;
    try {
      bytes = await readFile(this.bundlePath(version));
    } catch (error) {
      throw new InputError(`the registry lists ${version} but cannot read it: ${String(error)}`);
    }
    // A bundle file replaced by hand (or by a disk) is not the version that was published,
    // even when it carries a valid signature of another bundle: refuse it, as the OCI
    // registry refuses a blob whose bytes do not match its digest.
    const digest = sha256Hex(bytes);
    if (digest !== entry.digest)
      return { ok: false, reason: 'digest-mismatch', expected: entry.digest, actual: digest };
    return { ok: true, bytes, digest };
  }

  async put(
    version: string,
    bytes: Uint8Array,
    info: ChangeInfo & { channel?: string },
  ): Promise<PutResult> {
    checkName('version', version);
    if (info.channel !== undefined) checkName('channel', info.channel);
    await this.refuseOtherDirectory();
    return this.locked(join(this.dir, 'bundles'), async () => {
      crashPoint('locked');
      const index = await this.readIndex();
      if (index.versions.some((v) => v.version === version)) return { ok: false, reason: 'exists' };
      await durableWrite(this.bundlePath(version), bytes, 'bundle');
      const digest = sha256Hex(bytes);
      const time = (info.time ?? new Date()).toISOString();
      const previous =
        info.channel !== undefined ? channelVersion(index.channels, info.channel) : undefined;
      const entry: HistoryEntry = {
        time,
        user: info.user,
        action: 'publish',
        version,
        digest,
        ...(info.channel !== undefined ? { channel: info.channel } : {}),
        ...(previous !== undefined ? { previous } : {}),
        ...(info.message !== undefined ? { message: info.message } : {}),
      };
      const next: RegistryIndex = {
        ...index,
        versions: [...index.versions, { version, digest, time }],
        channels:
          info.channel !== undefined
            ? { ...index.channels, [info.channel]: version }
            : index.channels,
        history: [...index.history, entry],
      };
      await this.commit(next);
      return { ok: true, entry };
    });
  }

  async setChannel(channel: string, version: string, info: ChangeInfo): Promise<SetChannelResult> {
    checkName('channel', channel);
    return this.locked(this.dir, async () => {
      crashPoint('locked');
      const index = await this.readIndex();
      const found = index.versions.find((v) => v.version === version);
      if (!found) return { ok: false, reason: 'not-found' };
      const previous = channelVersion(index.channels, channel);
      if (previous === undefined) return { ok: false, reason: 'no-channel' };
      const entry: HistoryEntry = {
        time: (info.time ?? new Date()).toISOString(),
        user: info.user,
        action: 'rollback',
        version,
        digest: found.digest,
        channel,
        previous,
        ...(info.message !== undefined ? { message: info.message } : {}),
      };
      await this.commit({
        ...index,
        channels: { ...index.channels, [channel]: version },
        history: [...index.history, entry],
      });
      return { ok: true, entry };
    });
  }

  /**
   * A change to the registry: `dir` (the registry or a directory in it) made if missing, then
   * `change` under the registry's lock. What the file system refuses (no such directory, not a
   * directory, permission, a full disk) is the user's to fix: one line naming the registry,
   * exit 2, and durableWrite has left nothing half-written.
   */
  private async locked<T>(dir: string, change: () => Promise<T>): Promise<T> {
    try {
      await makeDirectory(dir);
      return await withRegistryLock(this.dir, change);
    } catch (error) {
      if (isUserError(error) || errnoCode(error) === undefined) throw error;
      throw new InputError(`cannot write to the registry ${this.dir}: ${describeErrno(error)}`);
    }
  }

  /**
   * Only a new or empty directory becomes a registry: `publish --registry` pointed at some
   * other directory (the policies, say) must not turn it into one. What a first publish killed
   * before its commit leaves behind (bundles/, the lock, temporary files) counts as empty, so
   * that the publish can simply be run again.
   */
  private async refuseOtherDirectory(): Promise<void> {
    const names = await readdir(this.dir).catch(() => undefined);
    // Missing: a new registry. Not a directory, or unreadable: the write says so in its words.
    if (names === undefined || names.includes(REGISTRY_INDEX_FILE)) return;
    let other = names.find((name) => !LEFTOVER.test(name));
    if (other === undefined && names.includes('bundles')) {
      const bundles = await readdir(join(this.dir, 'bundles')).catch(() => []);
      const inBundles = bundles.find((name) => !BUNDLE_LEFTOVER.test(name));
      if (inBundles !== undefined) other = `bundles/${inBundles}`;
    }
    if (other !== undefined) {
      throw new InputError(
        `${this.dir} is not a registry (it has no ${REGISTRY_INDEX_FILE}) and is not empty (it holds ${JSON.stringify(other)})`,
        'check the path: publish starts a registry only in a new or empty directory',
      );
    }
  }

  private async commit(index: RegistryIndex): Promise<void> {
    await durableWrite(this.indexPath, `${JSON.stringify(index, null, 2)}\n`, 'index');
    crashPoint('committed');
  }
}

/** What a first publish leaves in the registry directory before its commit. */
const LEFTOVER = /^(?:bundles|lock|\.lock-[0-9]+-[0-9a-f]{16}|\.index\.json\.tmp-[0-9]+-[0-9]+)$/;
/** ...and in bundles/: a bundle, or durableWrite's temporary file of one. */
const BUNDLE_LEFTOVER = /^\.?[A-Za-z0-9][A-Za-z0-9._-]*\.tar\.gz(?:\.tmp-[0-9]+-[0-9]+)?$/;

function checkName(what: string, name: string): void {
  if (!isValidName(name)) {
    throw new InputError(
      `invalid ${what} ${JSON.stringify(name)}: use letters, digits, '.', '_' and '-' (at most 128, no '..')`,
    );
  }
}

/**
 * Where rollback goes without --to: the version the channel pointed at when the current
 * version was published to it, so that repeated rollbacks walk back through the publishes
 * (v3 -> v2 -> v1) rather than toggling. A current version that only arrived by a rollback
 * goes back to what that rollback replaced.
 */
export function rollbackTarget(
  history: readonly HistoryEntry[],
  channel: string,
  current: string,
): string | undefined {
  const moves = history.filter((e) => e.channel === channel && e.version === current);
  const published = moves.filter((e) => e.action === 'publish').at(-1);
  const from = published ?? moves.at(-1);
  return from?.previous !== undefined && from.previous !== current ? from.previous : undefined;
}
