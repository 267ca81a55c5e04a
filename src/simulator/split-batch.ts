/**
 * What a worker thread of a split replay (replay-threads.ts) is sent: its events in replay
 * order, each marked late or not, and the sweeps where they fell, in batches. An event comes as
 * the JSON line it was read from (TraceEvent.text), which the worker parses again: posting a
 * string costs the reading thread a tenth of what posting the parsed input would. An event
 * without its line (OTLP, decision logs, a pretty-printed document) comes as itself, a
 * structured clone.
 */
import { aegisRecord } from './readers/aegis-record.js';
import { hasEscapes } from './readers/trace-parser.js';
import type { ReleasedRecord } from './replay.js';
import type { TraceEvent } from './types.js';

/** Records per batch: a few hundred kB of text for the trace benchmark's lines. */
export const BATCH_RECORDS = 1024;

const TEXT = 0;
const OBJECT = 1;
const SWEEP = 2;
const LATE = 4;

export interface EventBatch {
  /**
   * Per record: TEXT (the next of `texts`), OBJECT (the next of `objects`) or SWEEP (the next
   * of `sweeps`), plus LATE for a late event.
   */
  kinds: Uint8Array<ArrayBuffer>;
  texts: string[];
  /** The origin of each of `texts`. */
  files: string[];
  lines: number[];
  objects: TraceEvent[];
  /** ns since the epoch. */
  sweeps: bigint[];
}

/** Collects the records for one worker; `take` hands over a full (or last) batch. */
export class BatchWriter {
  private kinds = new Uint8Array(BATCH_RECORDS);
  private texts: string[] = [];
  private files: string[] = [];
  private lines: number[] = [];
  private objects: TraceEvent[] = [];
  private sweeps: bigint[] = [];
  size = 0;

  event(event: TraceEvent, late: boolean): void {
    const flag = late ? LATE : 0;
    if (event.text !== undefined) {
      this.kinds[this.size++] = TEXT | flag;
      this.texts.push(event.text);
      this.files.push(event.origin.file);
      this.lines.push(event.origin.line);
    } else {
      this.kinds[this.size++] = OBJECT | flag;
      this.objects.push(event);
    }
  }

  sweep(at: bigint): void {
    this.kinds[this.size++] = SWEEP;
    this.sweeps.push(at);
  }

  get full(): boolean {
    return this.size === BATCH_RECORDS;
  }

  /** The batch so far, and the buffer to transfer with it; the writer starts a new one. */
  take(): { batch: EventBatch; transfer: ArrayBuffer[] } {
    const kinds = this.size === BATCH_RECORDS ? this.kinds : this.kinds.slice(0, this.size);
    const batch: EventBatch = {
      kinds,
      texts: this.texts,
      files: this.files,
      lines: this.lines,
      objects: this.objects,
      sweeps: this.sweeps,
    };
    this.kinds = new Uint8Array(BATCH_RECORDS);
    this.texts = [];
    this.files = [];
    this.lines = [];
    this.objects = [];
    this.sweeps = [];
    this.size = 0;
    return { batch, transfer: [kinds.buffer] };
  }
}

/** A batch -> the records, in the order they were sent. */
export function readBatch(batch: EventBatch): ReleasedRecord[] {
  const { kinds, texts, files, lines, objects, sweeps } = batch;
  const out: ReleasedRecord[] = new Array(kinds.length);
  let text = 0;
  let object = 0;
  let sweep = 0;
  for (let i = 0; i < kinds.length; i++) {
    const kind = (kinds[i] as number) & ~LATE;
    const late = ((kinds[i] as number) & LATE) !== 0;
    if (kind === TEXT) {
      const line = texts[text] as string;
      const origin = { file: files[text] as string, line: lines[text] as number };
      text++;
      // The reading thread made an event of this very text with this very function.
      const record = aegisRecord(JSON.parse(line), origin, hasEscapes(line));
      if (record.kind !== 'event')
        throw new Error(`split replay: ${origin.file}:${origin.line} did not read as an event`);
      out[i] = { kind: 'event', event: record, late };
    } else if (kind === OBJECT) {
      out[i] = { kind: 'event', event: objects[object++] as TraceEvent, late };
    } else {
      out[i] = { kind: 'sweep', at: sweeps[sweep++] as bigint };
    }
  }
  return out;
}
