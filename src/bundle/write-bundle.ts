/**
 * Writes a bundle tarball whose bytes depend on nothing but the files given: entries sorted by
 * path, every header field fixed (mtime 0, uid/gid 0, no user or group names, mode 0644), no
 * directory entries (OPA does not need them and `opa build` writes none), and a gzip header
 * with no name and no time.
 *
 * The compressor is pako, pinned to an exact version in package.json, not node:zlib: Node
 * bundles Chromium's zlib, whose deflate output changes between Node releases and CPU feature
 * sets, so the same bundle would get a different digest on a colleague's laptop. pako is
 * plain JavaScript and writes the same bytes everywhere (its deflate stream is the one stock
 * zlib writes: checked against zlib 1.2.13 at level 6). The gzip wrapper around it is written
 * here, as pako would write it (1f 8b 08 00, mtime 0, XFL 0 for level 6, OS 3), with the CRC-32
 * from node:zlib: a checksum has one right answer, and the native one is several times faster
 * than pako's on tens of MB.
 *
 * Level 6 (zlib's default), not 9: on the JSON of a thousand policies, which repeats itself
 * a lot, level 9's longer match search took twice as long for a bundle about 8% smaller.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { Deflate } from 'pako';
import { compareCodePoints } from '../engine/strings.js';
import { normalizeBundlePath } from './bundle-path.js';

export interface BundleFile {
  /** `data.json`, `/data.json` and `./data.json` name the same entry. */
  path: string;
  /**
   * The bytes, or a text, or a text in pieces (joined, they are the text): a data.json of tens
   * of MB is encoded piece by piece on its way into the archive, never held as one string or
   * one buffer.
   */
  content: Uint8Array | string | readonly string[];
}

/** A file of the bundle as written: `/path`, its SHA-256 (hex) and size in bytes. */
export interface WrittenFile {
  path: string;
  sha256: string;
  size: number;
}

const BLOCK = 512;
const FILE_MODE = 0o644;
const COMPRESSION_LEVEL = 6;
const encoder = new TextEncoder();
/** RFC 1952: magic, deflate, no flags, mtime 0, XFL 0 (level 6), OS 3 (Unix). */
const GZIP_HEADER = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3);
/** Text pieces are encoded into a buffer of this size, reused. */
const ENCODE_BYTES = 1 << 16;

/**
 * Throws TypeError for an unsafe or repeated path: the files come from the compiler, so either
 * is a bug there, not a user error.
 */
export function writeBundle(files: readonly BundleFile[]): Buffer {
  return build(files, false).bundle;
}

/** writeBundle, and each file's digest and size, in path order (read from the bytes written). */
export function writeBundleWithDigests(files: readonly BundleFile[]): {
  bundle: Buffer;
  files: WrittenFile[];
} {
  return build(files, true);
}

type Content = Uint8Array | readonly string[];

function build(files: readonly BundleFile[], digests: boolean) {
  const entries = files.map((file) => {
    const normalized = normalizeBundlePath(file.path);
    if (!normalized.ok) throw new TypeError(`writeBundle: ${file.path}: ${normalized.message}`);
    const content: Content =
      typeof file.content === 'string' ? encoder.encode(file.content) : file.content;
    return { path: normalized.path, content, size: byteLength(content) };
  });
  entries.sort((a, b) => compareCodePoints(a.path, b.path));
  for (let i = 1; i < entries.length; i++) {
    if (entries[i]?.path === entries[i - 1]?.path) {
      throw new TypeError(`writeBundle: ${entries[i]?.path} given twice`);
    }
  }

  // The archive goes to the compressor part by part rather than joined first (tens of MB for
  // thousands of agents): without a flush in between, deflate writes the same stream however
  // its input arrives.
  const gzip = new GzipBody();
  const written: WrittenFile[] = [];
  for (const { path, content, size } of entries) {
    const name = `/${path}`;
    const nameBytes = encoder.encode(name);
    // ustar's name field holds 100 bytes of ASCII; anything else goes in a PAX record, which
    // every tar reader (Go's archive/tar included) prefers over the truncated ustar name.
    if (nameBytes.length > 100 || !/^[\x20-\x7e]*$/.test(name)) {
      const record = paxRecord('path', name);
      gzip.push(header(paxHeaderName(path), record.length, 'x'));
      gzip.push(record);
      gzip.push(padding(record.length));
    }
    gzip.push(header(asciiName(name), size, '0'));
    const hash = digests ? createHash('sha256') : undefined;
    forEachChunk(content, (bytes) => {
      gzip.push(bytes);
      hash?.update(bytes);
    });
    gzip.push(padding(size));
    if (hash) written.push({ path: name, sha256: hash.digest('hex'), size });
  }
  gzip.push(new Uint8Array(2 * BLOCK)); // end of archive
  return { bundle: gzip.finish(), files: written };
}

/**
 * The bytes of a content, in order: bytes as they are; text pieces encoded into a buffer that
 * is handed on whenever full (the same buffer each time), so that small pieces go on together.
 */
function forEachChunk(content: Content, use: (bytes: Uint8Array) => void): void {
  if (content instanceof Uint8Array) {
    use(content);
    return;
  }
  const buffer = new Uint8Array(ENCODE_BYTES);
  let used = 0;
  for (const piece of content) {
    let rest = piece;
    for (;;) {
      const { read, written } = encoder.encodeInto(rest, buffer.subarray(used));
      used += written;
      if (read === rest.length) break;
      // Full, or too full for the next character: hand it on, and go on with the rest.
      use(buffer.subarray(0, used));
      used = 0;
      rest = rest.slice(read);
    }
  }
  if (used > 0) use(buffer.subarray(0, used));
}

function byteLength(content: Content): number {
  if (content instanceof Uint8Array) return content.length;
  let size = 0;
  for (const piece of content) size += Buffer.byteLength(piece, 'utf8');
  return size;
}

/** A gzip member around pako's raw deflate stream (see the top of this file). */
class GzipBody {
  private readonly deflate = new Deflate({ level: COMPRESSION_LEVEL, raw: true });
  private crc = 0;
  private size = 0;

  push(bytes: Uint8Array): void {
    // Node 20's crc32 answers 0 for empty input whatever the running value: skip those.
    if (bytes.length === 0) return;
    this.crc = crc32(bytes, this.crc);
    this.size += bytes.length;
    this.deflate.push(bytes, false);
  }

  finish(): Buffer {
    this.deflate.push(new Uint8Array(0), true);
    if (this.deflate.err) throw new Error(`writeBundle: gzip failed: ${this.deflate.msg}`);
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(this.crc >>> 0, 0);
    trailer.writeUInt32LE(this.size % 2 ** 32, 4);
    return Buffer.concat([GZIP_HEADER, this.deflate.result, trailer]);
  }
}

/** A ustar header laid out as Go's archive/tar writes it (the writer OPA uses). */
function header(name: string, size: number, type: '0' | 'x'): Uint8Array {
  const block = new Uint8Array(BLOCK);
  const put = (offset: number, length: number, text: string) => {
    const bytes = encoder.encode(text);
    block.set(bytes.subarray(0, length), offset);
  };
  const octal = (offset: number, length: number, value: number) => {
    if (value >= 8 ** (length - 1)) throw new TypeError(`writeBundle: ${value} does not fit`);
    put(offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
  };
  put(0, 100, name);
  octal(100, 8, FILE_MODE);
  octal(108, 8, 0); // uid
  octal(116, 8, 0); // gid
  octal(124, 12, size);
  octal(136, 12, 0); // mtime
  put(148, 8, '        '); // checksum, counted as spaces
  put(156, 1, type);
  put(257, 8, 'ustar\u000000');
  octal(329, 8, 0); // devmajor
  octal(337, 8, 0); // devminor
  let sum = 0;
  for (const byte of block) sum += byte;
  put(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}

/** `<length> <key>=<value>\n`, where the length counts itself. */
function paxRecord(key: string, value: string): Uint8Array {
  const body = encoder.encode(` ${key}=${value}\n`).length;
  let length = body + 1;
  while (String(length).length + body !== length) length = String(length).length + body;
  return encoder.encode(`${length} ${key}=${value}\n`);
}

function paxHeaderName(path: string): string {
  return asciiName(`PaxHeaders/${path.split('/').pop() ?? ''}`);
}

/** The ustar name field's stand-in for a name that needs a PAX record. */
function asciiName(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, '_').slice(0, 100);
}

function padding(size: number): Uint8Array {
  return new Uint8Array((BLOCK - (size % BLOCK)) % BLOCK);
}
