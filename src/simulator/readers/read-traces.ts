/**
 * `aegis simulate`'s input: trace files, directories, globs and `-` -> the recorded tool calls
 * in them (POLICY-LANGUAGE.md section 9). One source's records come in file order; several
 * sources are merged by event time (merge-by-time.ts), so that files written side by side over
 * the same hours replay as one timeline. Nothing is sorted inside a source here; the replay
 * does that within its window.
 *
 * Bad data never throws out of the iterator: it becomes `malformed` records with a file and
 * line. The one thing that throws (InputError, before any record) is an argument that names
 * nothing, which is a mistake on the command line rather than in the data.
 */
import type { TraceRecord } from '../types.js';
import { expandTracePaths, type TraceSource } from './expand-trace-paths.js';
import { mergeByTime } from './merge-by-time.js';
import { readTraceSource } from './read-trace-source.js';
import { SeenSpans } from './seen-spans.js';

export interface ReadTracesOptions {
  cwd: string;
  /** Read for a `-` argument; process.stdin when not given. */
  stdin?: NodeJS.ReadableStream;
  /**
   * The descriptor `stdin` reads, looked at first (a directory there is an unreadable file);
   * 0 when `stdin` is not given.
   */
  stdinFd?: number;
  /** Keep each aegis JSON Lines event's line (TraceEvent.text). */
  keepText?: boolean;
}

export async function* readTraces(
  paths: readonly string[],
  options: ReadTracesOptions,
): AsyncGenerator<TraceRecord> {
  for await (const batch of readTraceBatches(paths, options)) yield* batch;
}

/**
 * The same records in the batches they are read in (one per chunk of input): a consumer that
 * counts millions of records saves an async step per record by looping over each batch itself.
 */
export async function* readTraceBatches(
  paths: readonly string[],
  options: ReadTracesOptions,
): AsyncGenerator<TraceRecord[]> {
  const stdinFd = options.stdinFd ?? (options.stdin ? undefined : 0);
  const sources = await expandTracePaths(
    paths,
    options.cwd,
    stdinFd !== undefined ? { stdinFd } : {},
  );
  // Shared by every file: the same span exported into two files still counts once.
  const seen = new SeenSpans();
  const read = (source: TraceSource, spans: SeenSpans, index: number) =>
    readTraceSource(source, {
      seen: spans,
      source: index,
      ...(options.stdin ? { stdin: options.stdin } : {}),
      ...(options.keepText ? { keepText: true } : {}),
    });
  if (sources.length === 1) {
    yield* read(sources[0] as TraceSource, seen, 0);
    return;
  }
  yield* mergeByTime(
    sources.map((source, index) => ({
      // A pipe (`<(zcat a.gz)`) cannot be peeked at and read again: it is read from the start.
      rereadable: source.kind === 'file' && source.regular,
      open: () => read(source, seen, index),
      // A peek must not mark spans as seen: they are read again when the file is opened.
      peek: () => read(source, new SeenSpans(), index),
    })),
  );
}
