/**
 * The bytes of one trace source, gunzipped when they start with the gzip magic number. The
 * content decides, not the name: `kubectl logs | gzip` on stdin works, and a `.gz` file that
 * was already unpacked is read as it is. Several gzip members back to back (`cat a.gz b.gz`)
 * are read as one stream, as gunzip does; bytes after the last that are not zeros are an
 * error, once all the data before them has been read (gunzip.ts).
 */
import { createReadStream } from 'node:fs';
import { gunzip } from './gunzip.js';

/**
 * 64 KiB, measured: larger chunks mean fewer trips through the async iterators above, but
 * decoding a chunk of 256 KiB or more into one string was several times slower per byte on
 * Node 20 (its strings go to V8's large-object space), which outweighs that.
 */
export const CHUNK_BYTES = 1 << 16;

export function fileChunks(path: string): AsyncIterable<Buffer | string> {
  return createReadStream(path, { highWaterMark: CHUNK_BYTES });
}

export async function* gunzipIfCompressed(
  source: AsyncIterable<Buffer | string>,
): AsyncGenerator<Buffer> {
  const it = source[Symbol.asyncIterator]();
  // Whatever a consumer does (finish, break, throw), the source is closed exactly once.
  try {
    let head = Buffer.alloc(0);
    let ended = false;
    while (head.length < 2) {
      const next = await it.next();
      if (next.done) {
        ended = true;
        break;
      }
      head = Buffer.concat([head, toBuffer(next.value)]);
    }
    const rest = async function* (): AsyncGenerator<Buffer> {
      if (head.length > 0) yield head;
      if (ended) return;
      for (;;) {
        const next = await it.next();
        if (next.done) return;
        yield toBuffer(next.value);
      }
    };
    if (head[0] !== 0x1f || head[1] !== 0x8b) {
      yield* rest();
      return;
    }
    yield* gunzip(rest(), CHUNK_BYTES);
  } finally {
    await it.return?.();
  }
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
  return Buffer.from(String(chunk), 'utf8');
}
