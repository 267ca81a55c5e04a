/**
 * Several trace sources -> one stream of records in time order (POLICY-LANGUAGE.md section 8:
 * "replayed in time order, ties keep file order"). Traces are mostly split by writer: one
 * decision log per OPA instance of a fleet, one file per collector or gateway, all over the
 * same hours. Read one after the other, every event of the second file that is older than the
 * first file's last would be late, replayed out of order against usage windows that had moved
 * on. So the sources are merged: the next event is always the earliest at the head of any
 * source (ties to the source given first), and the reorder window downstream only has to put
 * right what is out of order inside one source.
 *
 * Records without a time (malformed, skipped) go out as soon as they reach the head of their
 * source. A source is opened only when the merge reaches the time of its first event, which
 * each file is opened once for beforehand and closed again (peek): a directory of rotated
 * files, one per hour, keeps one or two of them open at a time, not thousands. A source whose
 * first records hold no event is opened from the start, as are standard input and pipes
 * (`<(zcat a.gz)`), which cannot be read twice.
 */
import type { TraceEvent, TraceRecord } from '../types.js';

/** Records per batch handed on: as many as the readers' own batches, roughly. */
const OUT_BATCH = 1024;

export interface MergeSource {
  /** Can be read from the start again (a regular file); false for standard input and pipes. */
  rereadable: boolean;
  /** The source's records, a batch at a time, from the start. */
  open(): AsyncGenerator<TraceRecord[]>;
  /** The same records, for the first event's time only (nothing is remembered of them). */
  peek(): AsyncGenerator<TraceRecord[]>;
}

export async function* mergeByTime(sources: readonly MergeSource[]): AsyncGenerator<TraceRecord[]> {
  const active = new CursorHeap();
  const opened: Cursor[] = [];
  let out: TraceRecord[] = [];
  try {
    const pending: Pending[] = [];
    for (const [index, source] of sources.entries()) {
      if (!source.rereadable) {
        pending.push({ index, source, first: undefined });
        continue;
      }
      pending.push({ index, source, first: await firstEventTime(source.peek()) });
    }
    // Those to open from the start first, then by first event, then in the order given.
    pending.sort((a, b) => compareTimes(a.first, b.first) || a.index - b.index);

    /**
     * Takes `cursor` up to its next event within the batch at hand, handing on the records
     * without a time before it, and back into the heap; false when the batch ran out first.
     */
    const advanceInBatch = (cursor: Cursor): boolean => {
      for (let record = cursor.head(); record !== undefined; record = cursor.head()) {
        if (record.kind === 'event') {
          active.push(cursor);
          return true;
        }
        out.push(record);
        cursor.at++;
      }
      return false;
    };
    /** The same across batches, up to the source's end. */
    const advance = async (cursor: Cursor): Promise<void> => {
      while (!advanceInBatch(cursor)) if ((await cursor.refill()) === undefined) return;
    };

    let next = 0;
    for (;;) {
      // Open every source whose first event is not later than the earliest head.
      for (;;) {
        const waiting = pending[next];
        if (waiting === undefined) break;
        const top = active.peek();
        if (top !== undefined && waiting.first !== undefined && waiting.first > top.time()) break;
        next++;
        const cursor = new Cursor(waiting.index, waiting.source.open());
        opened.push(cursor);
        await advance(cursor);
      }
      const cursor = active.pop();
      if (cursor === undefined) break;
      out.push(cursor.head() as TraceEvent);
      cursor.at++;
      // Mostly the next record is in the batch at hand: no await (a promise per record).
      if (!advanceInBatch(cursor)) await advance(cursor);
      if (out.length >= OUT_BATCH) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
  } finally {
    // Ended early (the consumer stopped, or a source threw): close what is still open.
    await Promise.all(opened.map((cursor) => cursor.close()));
  }
}

interface Pending {
  index: number;
  source: MergeSource;
  /** ns since the epoch; undefined: open from the start. */
  first: bigint | undefined;
}

/** The time of the first event in a source's first batch of records, if it has one. */
async function firstEventTime(records: AsyncGenerator<TraceRecord[]>): Promise<bigint | undefined> {
  try {
    for await (const batch of records) {
      if (batch.length === 0) continue;
      for (const record of batch) if (record.kind === 'event') return record.timeNs;
      return undefined;
    }
    return undefined;
  } finally {
    await records.return(undefined);
  }
}

/** undefined (open from the start) before any time. */
function compareTimes(a: bigint | undefined, b: bigint | undefined): number {
  if (a === undefined || b === undefined)
    return (a === undefined ? 0 : 1) - (b === undefined ? 0 : 1);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One open source: its current batch and the position in it. */
class Cursor {
  private batch: TraceRecord[] = [];
  at = 0;
  private ended = false;

  constructor(
    readonly index: number,
    private readonly records: AsyncGenerator<TraceRecord[]>,
  ) {}

  head(): TraceRecord | undefined {
    return this.batch[this.at];
  }

  /** The first record of the next non-empty batch; undefined at the end. */
  async refill(): Promise<TraceRecord | undefined> {
    while (!this.ended) {
      const next = await this.records.next();
      if (next.done) {
        this.ended = true;
        break;
      }
      this.batch = next.value;
      this.at = 0;
      if (this.batch.length > 0) return this.batch[0];
    }
    this.batch = [];
    this.at = 0;
    return undefined;
  }

  /** Its head event's time (only called while the head is an event). */
  time(): bigint {
    return (this.batch[this.at] as TraceEvent).timeNs;
  }

  async close(): Promise<void> {
    if (!this.ended) await this.records.return(undefined);
    this.ended = true;
  }
}

/** The open sources whose head is an event, earliest first, ties to the source given first. */
class CursorHeap {
  private readonly items: Cursor[] = [];

  peek(): Cursor | undefined {
    return this.items[0];
  }

  push(cursor: Cursor): void {
    const items = this.items;
    items.push(cursor);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i] as Cursor, items[parent] as Cursor)) break;
      [items[i], items[parent]] = [items[parent] as Cursor, items[i] as Cursor];
      i = parent;
    }
  }

  pop(): Cursor | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < items.length && before(items[left] as Cursor, items[least] as Cursor))
        least = left;
      if (right < items.length && before(items[right] as Cursor, items[least] as Cursor))
        least = right;
      if (least === i) break;
      [items[i], items[least]] = [items[least] as Cursor, items[i] as Cursor];
      i = least;
    }
    return top;
  }
}

function before(a: Cursor, b: Cursor): boolean {
  const ta = a.time();
  const tb = b.time();
  return ta < tb || (ta === tb && a.index < b.index);
}
