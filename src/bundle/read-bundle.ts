/**
 * Reads a bundle tarball that may come from anywhere (a registry, a colleague, `opa build`).
 * Decompression is streamed through a running byte count, so a gzip bomb is stopped at the
 * cap instead of being inflated into memory; every refusal is a result with a reason.
 */
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { type BundleReadFailure, type BundleReadResult, fail } from './bundle-read-result.js';
import { TarReader } from './tar-reader.js';

export type {
  BundleReadFailure,
  BundleReadReason,
  BundleReadResult,
} from './bundle-read-result.js';

export const DEFAULT_MAX_BUNDLE_FILE_SIZE = 64 * 1024 * 1024;
export const DEFAULT_MAX_BUNDLE_SIZE = 256 * 1024 * 1024;
export const DEFAULT_MAX_BUNDLE_ENTRIES = 10_000;

export interface BundleReadLimits {
  /** Bytes of one file's content. */
  maxFileSize?: number;
  /** Bytes of the whole decompressed tar stream, headers included. */
  maxTotalSize?: number;
  /** Entries of any kind but extended headers. */
  maxEntries?: number;
}

/** Files keyed by their clean relative path (`data.json`, `aegis/policy.rego`). */
export async function readBundle(
  bytes: Uint8Array,
  limits: BundleReadLimits = {},
): Promise<BundleReadResult> {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    return fail('not-gzip', 'not a gzip file (a bundle is a .tar.gz)');
  }
  const maxTotal = limits.maxTotalSize ?? DEFAULT_MAX_BUNDLE_SIZE;
  const tar = new TarReader({
    maxFileSize: limits.maxFileSize ?? DEFAULT_MAX_BUNDLE_FILE_SIZE,
    maxEntries: limits.maxEntries ?? DEFAULT_MAX_BUNDLE_ENTRIES,
  });
  const gunzip = createGunzip({ chunkSize: 64 * 1024 });
  gunzip.end(bytes);
  let total = 0;
  try {
    // The stream inflates only as fast as this loop reads, so leaving it stops the work.
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxTotal) {
        return fail('too-large', `the bundle inflates past the ${maxTotal}-byte cap`);
      }
      const refused = tar.push(chunk);
      if (refused) return refused;
    }
  } catch (error) {
    return gzipFailure(error);
  } finally {
    gunzip.destroy();
  }
  return tar.finish();
}

export interface ReadBundleFileOptions extends BundleReadLimits {
  /** Bytes of the compressed file; larger files are refused unread. */
  maxArchiveSize?: number;
}

/** A bundle file, read and checked; a failure's message leaves naming the file to the caller. */
export async function readBundleFile(
  path: string,
  options: ReadBundleFileOptions = {},
): Promise<BundleReadResult> {
  const cap = options.maxArchiveSize ?? DEFAULT_MAX_BUNDLE_SIZE;
  let bytes: Buffer;
  try {
    const handle = await open(path, 'r');
    try {
      const info = await handle.stat();
      if (!info.isFile()) return fail('unreadable', 'not a regular file');
      if (info.size > cap) return fail('too-large', `${info.size} bytes, over the ${cap}-byte cap`);
      // Read one byte past the cap in case the file grew since the stat.
      const buffer = Buffer.alloc(info.size + 1);
      let filled = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
        if (filled === buffer.length) return fail('too-large', 'the file grew while being read');
      }
      bytes = buffer.subarray(0, filled);
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail('not-found', 'no such file');
    return fail('unreadable', error instanceof Error ? error.message : String(error));
  }
  return readBundle(bytes, options);
}

function gzipFailure(error: unknown): BundleReadFailure {
  const code = (error as NodeJS.ErrnoException).code;
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 'Z_BUF_ERROR') return fail('truncated', `the gzip stream ends early (${detail})`);
  return fail('corrupt', `the gzip stream is damaged (${detail})`);
}
