/**
 * gzip data (RFC 1952) -> its bytes, as gunzip reads them: members back to back (`cat a.gz
 * b.gz`) as one stream, and zero bytes after the last one (padding) ignored.
 *
 * The members are framed here and only their deflate data is left to zlib (a raw inflate
 * stream), rather than all of it to zlib.createGunzip. That stream takes whatever follows a
 * member for the next member, and when it is not one (a line appended to a `.gz` by mistake),
 * its error throws away the output of its last step: kilobytes of complete records whose
 * checksum was good. Here every byte of a member is given out before any error about what comes
 * after it, and that error (TrailingGarbageError) says the member itself was whole.
 */
import { crc32, createInflateRaw } from 'node:zlib';

/** Bytes after a whole member that are neither another member nor zero padding. */
export class TrailingGarbageError extends Error {
  constructor() {
    super('trailing garbage after the gzip data');
  }
}

const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const RESERVED_FLAGS = 0xe0;
const EMPTY = Buffer.alloc(0);

/**
 * The bytes of the gzip data in `source`, in chunks of up to `chunkBytes`; errors use zlib's
 * words ("unexpected end of file").
 */
export async function* gunzip(
  source: AsyncIterator<Buffer>,
  chunkBytes: number,
): AsyncGenerator<Buffer> {
  const input = new Input(source);
  for (let first = true; ; first = false) {
    if (!first && !(await startsMember(input))) {
      if (await onlyZerosLeft(input)) return;
      throw new TrailingGarbageError();
    }
    await skipHeader(input);
    const { crc, size } = yield* inflateMember(input, chunkBytes);
    if (!(await input.has(8))) throw truncated();
    const trailer = input.take(8);
    if (trailer.readUInt32LE(0) !== crc) throw new Error('incorrect data check');
    if (trailer.readUInt32LE(4) !== size % 2 ** 32) throw new Error('incorrect length check');
  }
}

/** The input, with bytes read ahead that can be put back once a member's end is known. */
class Input {
  readonly #source: AsyncIterator<Buffer>;
  #buffer: Buffer = EMPTY;
  #ended = false;

  constructor(source: AsyncIterator<Buffer>) {
    this.#source = source;
  }

  /** Whether `n` bytes are there, reading more as needed (false: the input ends first). */
  async has(n: number): Promise<boolean> {
    while (this.#buffer.length < n && !this.#ended) {
      const next = await this.#source.next();
      if (next.done) this.#ended = true;
      else if (this.#buffer.length === 0) this.#buffer = next.value;
      else this.#buffer = Buffer.concat([this.#buffer, next.value]);
    }
    return this.#buffer.length >= n;
  }

  /** The next byte, after has(1) said there is one. */
  peek(i: number): number | undefined {
    return this.#buffer[i];
  }

  /** The next `n` bytes, after has(n) said they are there. */
  take(n: number): Buffer {
    const bytes = this.#buffer.subarray(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return bytes;
  }

  /** What is read ahead, else the next chunk; empty at the end of the input. */
  async next(): Promise<Buffer> {
    if (!(await this.has(1))) return EMPTY;
    return this.take(this.#buffer.length);
  }

  /** Puts the end of what next() gave back, to be read again. */
  unread(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.#buffer = this.#buffer.length === 0 ? bytes : Buffer.concat([bytes, this.#buffer]);
  }
}

async function startsMember(input: Input): Promise<boolean> {
  return (await input.has(2)) && input.peek(0) === 0x1f && input.peek(1) === 0x8b;
}

/** Reads the rest of the input: whether it is all zero bytes (none at all included). */
async function onlyZerosLeft(input: Input): Promise<boolean> {
  for (;;) {
    const piece = await input.next();
    if (piece.length === 0) return true;
    for (const byte of piece) if (byte !== 0) return false;
  }
}

/** Reads past a member's header (its name, comment and extra field are of no use here). */
async function skipHeader(input: Input): Promise<void> {
  if (!(await input.has(10))) throw truncated();
  const fixed = input.take(10);
  if (fixed[0] !== 0x1f || fixed[1] !== 0x8b) throw new Error('incorrect header check');
  if (fixed[2] !== 8) throw new Error('unknown compression method');
  const flags = fixed[3] ?? 0;
  if ((flags & RESERVED_FLAGS) !== 0) throw new Error('unknown header flags set');
  // The header's CRC-32 (FHCRC) covers every byte of it before the CRC itself.
  let crc = crc32(fixed);
  if (flags & FEXTRA) {
    if (!(await input.has(2))) throw truncated();
    const length = input.take(2);
    crc = crc32(length, crc);
    crc = await skip(input, length.readUInt16LE(0), crc);
  }
  if (flags & FNAME) crc = await skipPastZero(input, crc);
  if (flags & FCOMMENT) crc = await skipPastZero(input, crc);
  if (flags & FHCRC) {
    if (!(await input.has(2))) throw truncated();
    if (input.take(2).readUInt16LE(0) !== (crc & 0xffff)) throw new Error('header crc mismatch');
  }
}

/** Skips `n` bytes; returns the CRC-32 `crc` continued over them. */
async function skip(input: Input, n: number, crc: number): Promise<number> {
  let sum = crc;
  for (let left = n; left > 0; ) {
    const piece = await input.next();
    if (piece.length === 0) throw truncated();
    input.unread(piece.subarray(left));
    const used = piece.subarray(0, left);
    sum = crc32(used, sum);
    left -= used.length;
  }
  return sum;
}

/** Skips a zero-terminated string, the zero included; returns the CRC-32 continued. */
async function skipPastZero(input: Input, crc: number): Promise<number> {
  let sum = crc;
  for (;;) {
    const piece = await input.next();
    if (piece.length === 0) throw truncated();
    const zero = piece.indexOf(0);
    if (zero < 0) {
      sum = crc32(piece, sum);
      continue;
    }
    input.unread(piece.subarray(zero + 1));
    return crc32(piece.subarray(0, zero + 1), sum);
  }
}

/**
 * One member's deflate data -> its bytes, with their CRC-32 and length for the trailer. The
 * input is handed to the inflate stream a piece at a time, and each piece's output read
 * before the next is written: when the deflate data ends, the stream stops taking input, and
 * what it did not take (its `bytesWritten` says how much it did) is the trailer and whatever
 * follows. Reading in turn also keeps memory to a chunk or two, however well the data packs.
 */
async function* inflateMember(
  input: Input,
  chunkBytes: number,
): AsyncGenerator<Buffer, { crc: number; size: number }> {
  // With zlib's own 16 KiB chunks, a trip through the thread pool and this loop for every
  // 16 KiB of output, the same data took two to three times the CPU.
  const inflater = createInflateRaw({ chunkSize: chunkBytes });
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const signal = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  inflater.on('readable', signal);
  inflater.on('error', (error) => {
    failure = error;
    signal();
  });
  let crc = 0;
  let size = 0;
  try {
    for (;;) {
      const piece = await input.next();
      if (piece.length === 0) throw truncated();
      const before = inflater.bytesWritten;
      let written = false;
      inflater.write(piece, () => {
        written = true;
        signal();
      });
      for (;;) {
        for (let chunk = read(inflater); chunk !== null; chunk = read(inflater)) {
          // Node 20's crc32 answers 0 for empty input whatever the running value.
          if (chunk.length === 0) continue;
          crc = crc32(chunk, crc);
          size += chunk.length;
          yield chunk;
        }
        if (failure) throw failure;
        if (written) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      const used = inflater.bytesWritten - before;
      if (used < piece.length) {
        // The deflate data ended inside this piece (or, taking none of it, just before it).
        input.unread(piece.subarray(used));
        return { crc: crc >>> 0, size };
      }
    }
  } finally {
    inflater.destroy();
  }
}

function read(stream: NodeJS.ReadableStream): Buffer | null {
  const chunk = stream.read();
  return chunk === null || Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
}

function truncated(): Error {
  return new Error('unexpected end of file');
}
