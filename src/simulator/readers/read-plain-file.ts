/**
 * The common case of `aegis simulate`, a regular file that is not gzipped, read with a
 * synchronous loop: one readSync per 64 KiB chunk into one reused buffer, instead of a read
 * stream behind two async iterators, whose promises, stream bookkeeping and waits on the
 * thread pool cost a million-event replay several percent of its time. Memory stays as
 * bounded as on the streaming path (a chunk, the splitter's carry, one batch of records).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { TraceRecord } from '../types.js';
import type { LineSplitter } from './line-splitter.js';
import { CHUNK_BYTES } from './open-chunks.js';
import type { TraceParser } from './trace-parser.js';

/**
 * Yields the records of the file at `path`, a batch per chunk, and returns true; returns false
 * before yielding anything when the file is gzipped or not a regular file (a FIFO, a device),
 * which the streaming path reads instead. A file that cannot be opened or read ends with the
 * parser's malformed record, as on the streaming path.
 */
export function* readPlainFile(
  path: string,
  parser: TraceParser,
  splitter: LineSplitter,
): Generator<TraceRecord[], boolean> {
  let fd: number;
  try {
    // Non-blocking, so that opening a FIFO with no writer yet returns at once (a blocking open
    // would wait for one, with the event loop stalled); a regular file reads the same either way.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    yield [parser.readError(error)];
    return true;
  }
  try {
    let regular: boolean;
    try {
      regular = fstatSync(fd).isFile();
    } catch (error) {
      yield [parser.readError(error)];
      return true;
    }
    // Anything else (a FIFO, a device) goes back to the stream, which waits without blocking.
    if (!regular) return false;
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let first = true;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buffer, 0, CHUNK_BYTES, null);
      } catch (error) {
        yield [parser.readError(error)];
        return true;
      }
      if (first) {
        first = false;
        // A regular file's read returns all it asks for unless the file ends: a shorter head
        // than the magic number is the whole file.
        if (n >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b) return false;
      }
      if (n === 0) break;
      // The splitter decodes the bytes at once (keeping a split UTF-8 sequence itself), so the
      // buffer can be read into again.
      const records = parser.lines(splitter.push(buffer.subarray(0, n)));
      if (records.length > 0) yield records;
      if (parser.done) return true;
    }
    const records = parser.finish(splitter.end());
    if (records.length > 0) yield records;
    return true;
  } finally {
    closeSync(fd);
  }
}
