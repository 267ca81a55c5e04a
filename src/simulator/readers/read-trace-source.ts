import type { TraceRecord } from '../types.js';
import type { TraceSource } from './expand-trace-paths.js';
import { TrailingGarbageError } from './gunzip.js';
import { LineSplitter } from './line-splitter.js';
import { fileChunks, gunzipIfCompressed } from './open-chunks.js';
import { readPlainFile } from './read-plain-file.js';
import type { SeenSpans } from './seen-spans.js';
import { DEFAULT_MAX_LINE, type ParserOptions, TraceParser } from './trace-parser.js';

export interface SourceOptions extends ParserOptions {
  stdin?: NodeJS.ReadableStream;
  seen: SeenSpans;
}

/**
 * The records of one source, a batch per chunk read. A source that cannot be opened, or whose
 * bytes stop making sense (a truncated gzip file), ends with a malformed record instead of an
 * exception, after the records read before it: one bad file must not cost the replay of all
 * the others, nor a bad end the rest of its file. Only errors of the read itself are caught
 * here; one from parsing would be a bug and is left to surface.
 */
export async function* readTraceSource(
  source: TraceSource,
  options: SourceOptions,
): AsyncGenerator<TraceRecord[]> {
  const parser = new TraceParser(source.file, options);
  if (source.kind === 'unreadable') {
    yield [parser.readError(new Error(source.error))];
    return;
  }
  const splitter = new LineSplitter(options.maxLine ?? DEFAULT_MAX_LINE);
  // A gzipped file, or one that is not a regular file, comes back untouched for the stream.
  if (source.kind === 'file' && (yield* readPlainFile(source.path, parser, splitter))) return;
  const raw = source.kind === 'stdin' ? (options.stdin ?? process.stdin) : fileChunks(source.path);
  const chunks = gunzipIfCompressed(raw);
  try {
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (error) {
        // Something appended to a .gz file: the data before it was whole and its checksum good,
        // so its last line (no newline after it) and a document still open are read too.
        const records = error instanceof TrailingGarbageError ? parser.finish(splitter.end()) : [];
        records.push(parser.readError(error));
        yield records;
        return;
      }
      if (next.done) break;
      const records = parser.lines(splitter.push(next.value));
      if (records.length > 0) yield records;
      if (parser.done) return;
    }
    const records = parser.finish(splitter.end());
    if (records.length > 0) yield records;
  } finally {
    await chunks.return(undefined);
  }
}
