/**
 * An incremental tar parser for bundles: fed decompressed chunks, it keeps regular files and
 * refuses everything a bundle has no business holding. It never allocates more than a file's
 * declared size, and only after checking that size against the cap.
 *
 * Understands ustar, PAX (`x` path and size records) and GNU long names (`L`), which is what
 * `opa build`, GNU tar, bsdtar and Go's archive/tar write.
 */
import { type BundlePathResult, normalizeBundlePath } from './bundle-path.js';
import { type BundleReadFailure, type BundleReadResult, fail } from './bundle-read-result.js';
import { allZero, concat, decodeName, nulIndex, parseHeader } from './tar-header.js';

export interface TarLimits {
  maxFileSize: number;
  maxEntries: number;
}

const BLOCK = 512;
/** PAX and GNU long-name bodies hold a few names; anything bigger is not a real archive. */
const MAX_META_SIZE = 1024 * 1024;
const latin1 = new TextDecoder('latin1');

interface Pending {
  kind: 'file' | 'skip' | 'pax' | 'longname';
  name: string;
  size: number;
  body: Uint8Array | undefined;
  filled: number;
}

export class TarReader {
  readonly #files = new Map<string, Uint8Array>();
  #buffer: Uint8Array = new Uint8Array(0);
  #current: Pending | undefined;
  #padding = 0;
  #ended = false;
  #entries = 0;
  #paxPath: string | undefined;
  #paxSize: number | undefined;
  #longName: string | undefined;

  constructor(private readonly limits: TarLimits) {}

  /** Consumes a chunk; a failure means the archive must be rejected. */
  push(chunk: Uint8Array): BundleReadFailure | undefined {
    this.#buffer = this.#buffer.length === 0 ? chunk : concat(this.#buffer, chunk);
    for (;;) {
      if (this.#ended) {
        // Past the end-of-archive marker only zero padding may follow; anything else would be
        // content that some tools see and others do not.
        if (!allZero(this.#buffer)) {
          return fail('corrupt', 'data after the end-of-archive marker');
        }
        this.#buffer = new Uint8Array(0);
        return undefined;
      }
      if (this.#current) {
        if (!this.#fillBody(this.#current)) return undefined;
        const failure = this.#finishEntry(this.#current);
        this.#current = undefined;
        if (failure) return failure;
        continue;
      }
      if (this.#padding > 0) {
        const skip = Math.min(this.#padding, this.#buffer.length);
        this.#buffer = this.#buffer.subarray(skip);
        this.#padding -= skip;
        if (this.#padding > 0) return undefined;
      }
      if (this.#buffer.length < BLOCK) return undefined;
      const block = this.#buffer.subarray(0, BLOCK);
      this.#buffer = this.#buffer.subarray(BLOCK);
      if (allZero(block)) {
        this.#ended = true;
        continue;
      }
      const failure = this.#startEntry(block);
      if (failure) return failure;
    }
  }

  /** Called once the input is exhausted. */
  finish(): BundleReadResult {
    if (this.#current || this.#buffer.length > 0 || this.#padding > 0) {
      return fail('truncated', 'the archive ends inside an entry');
    }
    if (
      this.#paxPath !== undefined ||
      this.#paxSize !== undefined ||
      this.#longName !== undefined
    ) {
      return fail('truncated', 'the archive ends after an extended header');
    }
    return { ok: true, files: this.#files };
  }

  #startEntry(block: Uint8Array): BundleReadFailure | undefined {
    const header = parseHeader(block);
    if (!header.ok) return header;
    const type = header.type;
    const isMeta = type === 'x' || type === 'g' || type === 'L' || type === 'K';
    // Extended-header values describe the next real entry, never another extended header.
    const rawName = isMeta ? header.name : (this.#paxPath ?? this.#longName ?? header.name);
    const size = isMeta ? header.size : (this.#paxSize ?? header.size);
    if (!isMeta) {
      this.#paxPath = undefined;
      this.#paxSize = undefined;
      this.#longName = undefined;
      if (++this.#entries > this.limits.maxEntries) {
        return fail('too-large', `more than ${this.limits.maxEntries} entries`);
      }
    }

    let kind: Pending['kind'];
    let name = rawName;
    if (type === 'x' || type === 'L') {
      if (size > MAX_META_SIZE) return fail('corrupt', 'oversized extended header', rawName);
      kind = type === 'x' ? 'pax' : 'longname';
    } else if (type === 'g' || type === 'K') {
      // Global PAX headers carry no name for any entry OPA reads; a GNU long link name only
      // precedes a link, which is refused when it arrives.
      kind = 'skip';
    } else if (type === '0' || type === '\0') {
      if (type === '\0' && rawName.endsWith('/')) {
        kind = 'skip'; // pre-POSIX directory
      } else {
        const path = normalizeBundlePath(rawName);
        if (!path.ok) return fail('unsafe-path', `${rawName}: ${path.message}`, rawName);
        if (size > this.limits.maxFileSize) {
          return fail(
            'file-too-large',
            `${rawName} is ${size} bytes, over the ${this.limits.maxFileSize}-byte cap`,
            rawName,
          );
        }
        if (this.#files.has(path.path)) {
          return fail('duplicate-entry', `${path.path} appears twice`, rawName);
        }
        name = path.path;
        kind = 'file';
      }
    } else if (type === '5') {
      const path: BundlePathResult = normalizeBundlePath(rawName, true);
      if (!path.ok) return fail('unsafe-path', `${rawName}: ${path.message}`, rawName);
      kind = 'skip';
    } else if (type === '1' || type === '2') {
      return fail('link', `${rawName} is a ${type === '1' ? 'hard' : 'symbolic'} link`, rawName);
    } else if (type === '3' || type === '4' || type === '6') {
      const what = type === '6' ? 'FIFO' : `${type === '3' ? 'character' : 'block'} device`;
      return fail('special-file', `${rawName} is a ${what}`, rawName);
    } else {
      return fail('unsupported-entry', `${rawName} has tar entry type '${type}'`, rawName);
    }
    if (kind === 'skip' && size > this.limits.maxFileSize) {
      return fail('file-too-large', `${rawName} is ${size} bytes`, rawName);
    }
    this.#current = {
      kind,
      name,
      size,
      body: kind === 'skip' ? undefined : new Uint8Array(size),
      filled: 0,
    };
    return undefined;
  }

  /** Moves buffered bytes into the current entry; true once it is complete. */
  #fillBody(entry: Pending): boolean {
    const take = Math.min(entry.size - entry.filled, this.#buffer.length);
    entry.body?.set(this.#buffer.subarray(0, take), entry.filled);
    entry.filled += take;
    this.#buffer = this.#buffer.subarray(take);
    return entry.filled === entry.size;
  }

  #finishEntry(entry: Pending): BundleReadFailure | undefined {
    this.#padding = (BLOCK - (entry.size % BLOCK)) % BLOCK;
    const body = entry.body ?? new Uint8Array(0);
    if (entry.kind === 'file') {
      this.#files.set(entry.name, body);
    } else if (entry.kind === 'longname') {
      const name = decodeName(body.subarray(0, nulIndex(body)));
      if (name === undefined) return fail('unsafe-path', 'a long name is not valid UTF-8');
      this.#longName = name;
    } else if (entry.kind === 'pax') {
      return this.#applyPax(body);
    }
    return undefined;
  }

  #applyPax(body: Uint8Array): BundleReadFailure | undefined {
    let at = 0;
    while (at < body.length) {
      const space = body.indexOf(0x20, at);
      const length = Number(latin1.decode(body.subarray(at, space)));
      if (
        space < 0 ||
        !Number.isSafeInteger(length) ||
        length <= space - at ||
        at + length > body.length
      ) {
        return fail('corrupt', 'malformed PAX record');
      }
      const record = decodeName(body.subarray(space + 1, at + length - 1));
      if (record === undefined || body[at + length - 1] !== 0x0a) {
        return fail('corrupt', 'malformed PAX record');
      }
      const equals = record.indexOf('=');
      const key = record.slice(0, equals);
      const value = record.slice(equals + 1);
      if (key === 'path') this.#paxPath = value;
      if (key === 'size') {
        if (!/^\d+$/.test(value)) return fail('corrupt', 'malformed PAX size');
        this.#paxSize = Number(value);
      }
      at += length;
    }
    return undefined;
  }
}
