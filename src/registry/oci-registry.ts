/**
 * The `oci://host:port/repo` registry: bundles in an OCI distribution registry, where OPA's
 * OCI downloader pulls them natively (download/oci_download.go takes the first layer of media
 * type `application/vnd.oci.image.layer.v1.tar+gzip` as the bundle).
 *
 * - A version is a tag whose manifest has an empty config and one layer, the bundle; the
 *   manifest carries the version in an annotation so that a channel tag can say which
 *   version it points at.
 * - A channel is a moving tag: the same manifest bytes PUT under the channel's name.
 * - The history is a JSON document `{ version: 1, entries }`, the single layer of the tag
 *   `aegis-history`.
 *
 * Concurrency, honestly: a remote registry offers no lock and distribution (2.x, 3.x) has no
 * conditional manifest PUT, so two publishers racing can both pass the "tag exists" check,
 * and the later channel PUT wins. The history is updated read-modify-write with an
 * optimistic check: just before writing, the history tag's manifest digest is compared with
 * the one read, and on a change the document is read again and the entry appended to the new
 * one (a few tries). That narrows the window to the time between that HEAD and the PUT; it
 * does not close it. Also, a change touches several tags one after another, so a crash midway
 * can leave a version without its history entry (never a history entry without its tag: the
 * history is written last).
 */
import { InputError } from '../errors.js';
import { OCI_MANIFEST, OciClient, type OciManifest } from './oci-client.js';
import type {
  ChangeInfo,
  GetResult,
  HistoryEntry,
  PutResult,
  Registry,
  SetChannelResult,
} from './registry.js';
import { channelMap, isValidName } from './registry.js';
import { historyEntryProblem, mustBe } from './registry-index-shape.js';

export const BUNDLE_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const EMPTY_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const HISTORY_LAYER = 'application/vnd.aegis.history.v1+json';
export const HISTORY_TAG = 'aegis-history';
export const VERSION_ANNOTATION = 'io.aegis.version';
const HISTORY_FORMAT = 1;
const HISTORY_WRITE_TRIES = 5;

interface HistoryDocument {
  version: typeof HISTORY_FORMAT;
  entries: HistoryEntry[];
}

export interface OciRegistryOptions {
  /** `http://host:port` or `https://host`. */
  baseUrl: string;
  /** The repository path, e.g. `team/policies`. */
  repository: string;
}

/**
 * Parses `oci://host[:port]/repo[/more]`. Plain HTTP for loopback hosts (a local test
 * registry has no certificate), HTTPS otherwise unless `plainHttp` says so.
 */
export function parseOciUrl(url: string, plainHttp = false): OciRegistryOptions {
  const match = /^oci:\/\/([^/]+)\/(.+)$/.exec(url);
  const host = match?.[1];
  const repository = match?.[2]?.replace(/\/+$/, '');
  if (!host || !repository || !/^[a-z0-9]+(?:[._/-][a-z0-9]+)*$/.test(repository)) {
    throw new InputError(
      `not an OCI registry address: ${url}`,
      'use oci://host[:port]/repository, the repository in lower case',
    );
  }
  const hostname = host.replace(/:\d+$/, '');
  const loopback = ['localhost', '[::1]'].includes(hostname) || /^127\./.test(hostname);
  return { baseUrl: `${plainHttp || loopback ? 'http' : 'https'}://${host}`, repository };
}

export class OciRegistry implements Registry {
  private readonly client: OciClient;

  constructor(options: OciRegistryOptions) {
    this.client = new OciClient(options.baseUrl, options.repository);
  }

  async list(): Promise<string[]> {
    const entries = (await this.readHistory()).document.entries;
    return entries.filter((e) => e.action === 'publish').map((e) => e.version);
  }

  async get(version: string): Promise<GetResult> {
    if (!isValidName(version) || version === HISTORY_TAG) return { ok: false, reason: 'not-found' };
    const fetched = await this.client.getManifest(version);
    const layer = fetched?.manifest.layers.find((l) => l.mediaType === BUNDLE_LAYER);
    if (!fetched || !layer || fetched.manifest.annotations?.[VERSION_ANNOTATION] !== version) {
      return { ok: false, reason: 'not-found' };
    }
    const bytes = await this.client.getBlob(layer.digest);
    return { ok: true, bytes, digest: hex(layer.digest) };
  }

  async put(
    version: string,
    bytes: Uint8Array,
    info: ChangeInfo & { channel?: string },
  ): Promise<PutResult> {
    checkName('version', version);
    if (info.channel !== undefined) checkName('channel', info.channel);
    const history = await this.readHistory();
    if (channelNames(history.document.entries).has(version)) {
      throw new InputError(
        `version ${version} has the name of a channel: tags share one namespace`,
      );
    }
    if (await this.client.headManifest(version)) return { ok: false, reason: 'exists' };
    if (
      info.channel !== undefined &&
      history.document.entries.some((e) => e.action === 'publish' && e.version === info.channel)
    ) {
      throw new InputError(`channel ${info.channel} has the name of a version`);
    }

    const layer = await this.client.pushBlob(bytes, BUNDLE_LAYER);
    const config = await this.client.pushBlob(new TextEncoder().encode('{}'), EMPTY_CONFIG);
    const manifest: OciManifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config,
      layers: [{ ...layer, annotations: { 'org.opencontainers.image.title': 'bundle.tar.gz' } }],
      annotations: { [VERSION_ANNOTATION]: version },
    };
    const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest));
    await this.client.putManifest(version, manifestBytes);

    const entry: HistoryEntry = {
      time: (info.time ?? new Date()).toISOString(),
      user: info.user,
      action: 'publish',
      version,
      digest: hex(layer.digest),
    };
    if (info.channel !== undefined) {
      entry.channel = info.channel;
      const previous = await this.channelVersion(info.channel);
      if (previous !== undefined) entry.previous = previous;
      await this.client.putManifest(info.channel, manifestBytes);
    }
    if (info.message !== undefined) entry.message = info.message;
    await this.appendHistory(entry, history);
    return { ok: true, entry };
  }

  async setChannel(channel: string, version: string, info: ChangeInfo): Promise<SetChannelResult> {
    checkName('channel', channel);
    if (!isValidName(version) || version === HISTORY_TAG) return { ok: false, reason: 'not-found' };
    const fetched = await this.client.getManifest(version);
    const layer = fetched?.manifest.layers.find((l) => l.mediaType === BUNDLE_LAYER);
    if (!fetched || !layer || fetched.manifest.annotations?.[VERSION_ANNOTATION] !== version) {
      return { ok: false, reason: 'not-found' };
    }
    const history = await this.readHistory();
    if (history.document.entries.some((e) => e.action === 'publish' && e.version === channel)) {
      throw new InputError(`channel ${channel} has the name of a version`);
    }
    if (!channelNames(history.document.entries).has(channel))
      return { ok: false, reason: 'no-channel' };
    const previous = await this.channelVersion(channel);
    await this.client.putManifest(channel, fetched.bytes);
    const entry: HistoryEntry = {
      time: (info.time ?? new Date()).toISOString(),
      user: info.user,
      action: 'rollback',
      version,
      digest: hex(layer.digest),
      channel,
    };
    if (previous !== undefined) entry.previous = previous;
    if (info.message !== undefined) entry.message = info.message;
    await this.appendHistory(entry, history);
    return { ok: true, entry };
  }

  async channels(): Promise<Record<string, string>> {
    const names = [...channelNames((await this.readHistory()).document.entries)].sort();
    const found: Array<[string, string]> = [];
    for (const name of names) {
      const version = await this.channelVersion(name);
      if (version !== undefined) found.push([name, version]);
    }
    return channelMap(found);
  }

  async history(channel?: string): Promise<HistoryEntry[]> {
    const entries = (await this.readHistory()).document.entries;
    return channel === undefined ? entries : entries.filter((e) => e.channel === channel);
  }

  /** The version a channel tag points at, from the annotation its manifest carries. */
  private async channelVersion(channel: string): Promise<string | undefined> {
    const fetched = await this.client.getManifest(channel);
    return fetched?.manifest.annotations?.[VERSION_ANNOTATION];
  }

  private async readHistory(): Promise<{ document: HistoryDocument; digest?: string }> {
    const fetched = await this.client.getManifest(HISTORY_TAG);
    if (!fetched) return { document: { version: HISTORY_FORMAT, entries: [] } };
    const layer = fetched.manifest.layers.find((l) => l.mediaType === HISTORY_LAYER);
    if (!layer) throw new InputError(`the ${HISTORY_TAG} tag does not hold an aegis history`);
    const text = new TextDecoder().decode(await this.client.getBlob(layer.digest));
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new InputError(`the ${HISTORY_TAG} document is not valid JSON`);
    }
    const version = isObject(parsed) ? parsed.version : undefined;
    if (version !== HISTORY_FORMAT) {
      throw new InputError(
        `the ${HISTORY_TAG} document has format version ${JSON.stringify(version) ?? 'none'}; this aegis reads version ${HISTORY_FORMAT}`,
      );
    }
    // Every entry, before any is used (as the file registry checks its index).
    const entries = (parsed as Record<string, unknown>).entries;
    const problem = Array.isArray(entries)
      ? entries.map((e, i) => historyEntryProblem(`entries[${i}]`, e)).find((p) => p !== undefined)
      : mustBe('entries', 'an array', entries);
    if (problem !== undefined)
      throw new InputError(`the ${HISTORY_TAG} document is not a valid aegis history: ${problem}`);
    return { document: parsed as HistoryDocument, digest: fetched.digest };
  }

  /** Read-modify-write with an optimistic digest check (see the comment at the top). */
  private async appendHistory(
    entry: HistoryEntry,
    read: { document: HistoryDocument; digest?: string },
  ): Promise<void> {
    let current = read;
    for (let attempt = 0; attempt < HISTORY_WRITE_TRIES; attempt++) {
      const document: HistoryDocument = {
        version: HISTORY_FORMAT,
        entries: [...current.document.entries, entry],
      };
      const layer = await this.client.pushBlob(
        new TextEncoder().encode(`${JSON.stringify(document, null, 2)}\n`),
        HISTORY_LAYER,
      );
      const config = await this.client.pushBlob(new TextEncoder().encode('{}'), EMPTY_CONFIG);
      const manifest: OciManifest = {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config,
        layers: [layer],
      };
      if ((await this.client.headManifest(HISTORY_TAG)) === current.digest) {
        await this.client.putManifest(
          HISTORY_TAG,
          new TextEncoder().encode(JSON.stringify(manifest)),
        );
        return;
      }
      current = await this.readHistory();
    }
    throw new InputError(
      `the ${HISTORY_TAG} tag kept changing under this update (${HISTORY_WRITE_TRIES} tries): another publisher is writing`,
    );
  }
}

function checkName(kind: string, name: string): void {
  if (!isValidName(name) || name === HISTORY_TAG) {
    throw new InputError(
      `${kind} ${JSON.stringify(name)} cannot be an OCI tag`,
      'use letters, digits, ".", "_" and "-" (at most 128), not starting with "." or "-"',
    );
  }
}

function channelNames(entries: readonly HistoryEntry[]): Set<string> {
  const names = new Set<string>();
  for (const e of entries) if (e.channel !== undefined) names.add(e.channel);
  return names;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hex(digest: string): string {
  return digest.replace(/^sha256:/, '');
}
