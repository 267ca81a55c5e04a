/**
 * A bundle registry (ARCHITECTURE.md "Registry", STYLE.md 8): immutable versions, channels
 * that point at one version each, and the history of every publish and rollback. Expected
 * outcomes are results, not exceptions; only unusable storage throws (InputError).
 */

export type HistoryAction = 'publish' | 'rollback';

export interface HistoryEntry {
  /** RFC 3339. */
  time: string;
  user: string;
  action: HistoryAction;
  version: string;
  /** Hex SHA-256 of the bundle bytes. */
  digest: string;
  channel?: string;
  /** The version the channel pointed at before this change. */
  previous?: string;
  message?: string;
}

/** What the caller says about a change; the registry adds time, version, digest, previous. */
export interface ChangeInfo {
  user: string;
  message?: string;
  /** Injected by tests; defaults to now. */
  time?: Date;
}

export type GetResult =
  | { ok: true; bytes: Uint8Array; digest: string }
  | { ok: false; reason: 'not-found' }
  /**
   * The stored bytes are not the ones published: their sha256 (`actual`) is not the digest
   * the registry recorded (`expected`). Never hand them out.
   */
  | { ok: false; reason: 'digest-mismatch'; expected: string; actual: string };

export type PutResult = { ok: true; entry: HistoryEntry } | { ok: false; reason: 'exists' };

export type SetChannelResult =
  | { ok: true; entry: HistoryEntry }
  /** No such version. */
  | { ok: false; reason: 'not-found' }
  /** No such channel: only put makes channels. */
  | { ok: false; reason: 'no-channel' };

export interface Registry {
  /** Published versions, oldest first. */
  list(): Promise<string[]>;
  get(version: string): Promise<GetResult>;
  /** Publishes a new version (and points `channel` at it, in the same atomic change). */
  put(
    version: string,
    bytes: Uint8Array,
    info: ChangeInfo & { channel?: string },
  ): Promise<PutResult>;
  /** Points an existing channel at an existing version, recorded as a rollback. */
  setChannel(channel: string, version: string, info: ChangeInfo): Promise<SetChannelResult>;
  /** Channel name -> version. */
  channels(): Promise<Record<string, string>>;
  /** Oldest first; with a channel, only the entries that moved it. */
  history(channel?: string): Promise<HistoryEntry[]>;
}

/**
 * The version a channel points at. Channel names such as `constructor` or `toString` are
 * valid, so a channel map is only ever read by own property: a plain object would answer for
 * a channel that does not exist with a member of Object.prototype.
 */
export function channelVersion(
  channels: Readonly<Record<string, string>>,
  channel: string,
): string | undefined {
  return Object.hasOwn(channels, channel) ? channels[channel] : undefined;
}

/** A channel map without a prototype, so that even a plain index finds only channels. */
export function channelMap(entries: Iterable<readonly [string, string]>): Record<string, string> {
  const map: Record<string, string> = Object.create(null);
  for (const [channel, version] of entries) map[channel] = version;
  return map;
}

/** Versions and channels become file names and URL segments: keep them boring. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isValidName(name: string): boolean {
  return NAME_PATTERN.test(name) && !name.includes('..');
}

/** Who made a change: AEGIS_USER, else USER/LOGNAME, else "unknown". */
export function currentUser(env: NodeJS.ProcessEnv): string {
  for (const key of ['AEGIS_USER', 'USER', 'LOGNAME']) {
    const value = env[key];
    if (value) return value;
  }
  return 'unknown';
}
