/**
 * mergeByTime over made-up sources: one timeline in time order (ties to the source given
 * first), every record once, each source's own order kept, files opened only when the merge
 * reaches them, and everything closed when the consumer stops.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type MergeSource, mergeByTime } from '../../../src/simulator/readers/merge-by-time.js';
import type { TraceRecord } from '../../../src/simulator/types.js';

const event = (file: string, line: number, t: number): TraceRecord => ({
  kind: 'event',
  origin: { file, line },
  format: 'aegis-jsonl',
  timeNs: BigInt(t),
  input: {},
});
const malformed = (file: string, line: number): TraceRecord => ({
  kind: 'malformed',
  origin: { file, line },
  error: 'bad',
});

/** Sources over fixed records, split into batches, counting how many are open at once. */
function sources(files: TraceRecord[][], batch = 3, stdin = -1) {
  const state = { open: 0, most: 0, opened: 0 };
  const make = (records: TraceRecord[]) =>
    async function* (): AsyncGenerator<TraceRecord[]> {
      state.open++;
      state.opened++;
      state.most = Math.max(state.most, state.open);
      try {
        for (let i = 0; i < records.length; i += batch) yield records.slice(i, i + batch);
      } finally {
        state.open--;
      }
    };
  const list: MergeSource[] = files.map((records, i) => ({
    rereadable: i !== stdin,
    open: make(records),
    peek: make(records),
  }));
  return { list, state };
}

async function collect(merged: AsyncGenerator<TraceRecord[]>): Promise<TraceRecord[]> {
  const out: TraceRecord[] = [];
  for await (const batch of merged) out.push(...batch);
  return out;
}

const name = (r: TraceRecord) => `${r.origin.file}:${r.origin.line}`;

describe('mergeByTime', () => {
  it('gives every record once, events in time order, ties to the source given first, each source in its own order', async () => {
    // Files of events in time order (as most are), with malformed lines among them.
    const file = fc.array(fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(-1)), {
      maxLength: 25,
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(file, { minLength: 2, maxLength: 6 }),
        fc.integer({ min: 1, max: 5 }),
        async (files, batch) => {
          const records = files.map((times, f) => {
            const sorted = times.filter((t) => t >= 0).sort((a, b) => a - b);
            let next = 0;
            return times.map((t, line) =>
              t < 0
                ? malformed(`f${f}`, line + 1)
                : event(`f${f}`, line + 1, sorted[next++] as number),
            );
          });
          const { list, state } = sources(records, batch);
          const out = await collect(mergeByTime(list));
          expect(out.map(name).sort()).toEqual(records.flat().map(name).sort());
          const events = out.filter((r) => r.kind === 'event');
          for (let i = 1; i < events.length; i++) {
            const a = events[i - 1] as Extract<TraceRecord, { kind: 'event' }>;
            const b = events[i] as Extract<TraceRecord, { kind: 'event' }>;
            expect(
              a.timeNs < b.timeNs ||
                (a.timeNs === b.timeNs &&
                  Number(a.origin.file.slice(1)) <= Number(b.origin.file.slice(1))),
            ).toBe(true);
          }
          for (const [f, own] of records.entries()) {
            expect(out.filter((r) => r.origin.file === `f${f}`).map(name)).toEqual(own.map(name));
          }
          expect(state.open).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps rotated files (one after another in time) to one or two open at a time', async () => {
    const files = Array.from({ length: 200 }, (_, f) =>
      Array.from({ length: 10 }, (_, i) => event(`h${f}`, i + 1, f * 100 + i * 10)),
    );
    const { list, state } = sources(files);
    const out = await collect(mergeByTime(list));
    expect(out).toHaveLength(2000);
    expect(out.map(name).slice(0, 12)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `h0:${i + 1}`),
      'h1:1',
      'h1:2',
    ]);
    expect(state.most).toBeLessThanOrEqual(2);
    expect(state.open).toBe(0);
  });

  it('a fleet writing side by side: all open, interleaved', async () => {
    const files = Array.from({ length: 3 }, (_, f) =>
      Array.from({ length: 4 }, (_, i) => event(`opa-${f}`, i + 1, i * 10 + f)),
    );
    const { list, state } = sources(files, 2);
    const out = await collect(mergeByTime(list));
    expect(out.map(name)).toEqual([
      'opa-0:1',
      'opa-1:1',
      'opa-2:1',
      'opa-0:2',
      'opa-1:2',
      'opa-2:2',
      'opa-0:3',
      'opa-1:3',
      'opa-2:3',
      'opa-0:4',
      'opa-1:4',
      'opa-2:4',
    ]);
    expect(state.most).toBe(3);
  });

  it('reads standard input once, never peeked, from the start', async () => {
    const files = [[event('a', 1, 5), event('a', 2, 50)], [event('<stdin>', 1, 10)]];
    const { list, state } = sources(files, 3, 1);
    const out = await collect(mergeByTime(list));
    expect(out.map(name)).toEqual(['a:1', '<stdin>:1', 'a:2']);
    // The file: peeked, then opened; stdin: opened once.
    expect(state.opened).toBe(3);
  });

  it('closes every open source when the consumer stops early', async () => {
    const files = Array.from({ length: 4 }, (_, f) =>
      Array.from({ length: 3000 }, (_, i) => event(`s${f}`, i + 1, i)),
    );
    const { list, state } = sources(files, 100);
    for await (const batch of mergeByTime(list)) {
      expect(batch.length).toBeGreaterThan(0);
      break;
    }
    expect(state.open).toBe(0);
  });
});
