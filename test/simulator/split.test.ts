/**
 * The reading thread's side of a split replay (replay-threads.ts Split), with stand-in workers:
 * which thread each usage key goes to, and what each worker is sent (its own events in the
 * order they leave the window, marked late where they were, and every sweep), read back as the
 * worker reads it (split-batch.ts).
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import type { ReleasedRecord } from '../../src/simulator/replay.js';
import {
  MAX_REPLAY_THREADS,
  type Outbox,
  replayThreads,
  Split,
  threadsFromEnv,
} from '../../src/simulator/replay-threads.js';
import { BATCH_RECORDS, BatchWriter, readBatch } from '../../src/simulator/split-batch.js';
import type { TraceEvent } from '../../src/simulator/types.js';

/** A worker that keeps what it is sent, read back into records. */
function standIn(): Outbox & { received: ReleasedRecord[]; ended: boolean } {
  const box = {
    writer: new BatchWriter(),
    received: [] as ReleasedRecord[],
    ended: false,
    behind: false,
    send() {
      box.received.push(...readBatch(box.writer.take().batch));
    },
    caughtUp: () => Promise.resolve(),
    end() {
      if (box.writer.size > 0) box.send();
      box.ended = true;
    },
  };
  return box;
}

function event(agent: string, second: number, text = true): TraceEvent {
  const input = {
    agent: { id: agent },
    tool: { name: 't' },
    context: { time: `2026-11-20T10:00:${String(second).padStart(2, '0')}Z` },
  };
  return {
    kind: 'event',
    origin: { file: 'trace.jsonl', line: second + 1 },
    format: 'aegis-jsonl',
    timeNs: BigInt(Date.parse(input.context.time)) * 1_000_000n,
    input,
    ...(text ? { text: JSON.stringify(input) } : {}),
  };
}

describe('Split', () => {
  it('gives every key one thread, the reading thread a smaller share of them', () => {
    const workers = [standIn()];
    const split = new Split(workers);
    const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
    const threads = keys.map((key) => split.threadOf(key));
    // Asked again, a key keeps its thread.
    expect(keys.map((key) => split.threadOf(key))).toEqual(threads);
    const here = threads.filter((t) => t === 0).length;
    // READER_WEIGHT 0.3 against the worker's 1: about 0.3 / 1.3 of equal keys.
    expect(here).toBeGreaterThanOrEqual(8);
    expect(here).toBeLessThanOrEqual(11);
    expect(threads.every((t) => t === 0 || t === 1)).toBe(true);
  });

  it('shares keys out over several workers too', () => {
    const split = new Split([standIn(), standIn(), standIn()]);
    const threads = Array.from({ length: 60 }, (_, i) => split.threadOf(`k${i}`));
    for (const thread of [1, 2, 3]) expect(threads.filter((t) => t === thread).length).toBe(18);
  });

  it('sends a worker its own events, in release order, late marks and sweeps in place', () => {
    const worker = standIn();
    const split = new Split([worker]);
    const mine = [event('w', 1), event('w', 2, false), event('w', 3)];
    split.release(event('r', 0), 0, false);
    split.release(mine[0] as TraceEvent, 1, false);
    split.sweep(123n);
    split.release(mine[1] as TraceEvent, 1, true);
    split.release(event('r', 4), 0, false);
    split.release(mine[2] as TraceEvent, 1, false);
    split.end();
    expect(worker.ended).toBe(true);
    const { text: _0, ...first } = mine[0] as TraceEvent;
    const { text: _2, ...third } = mine[2] as TraceEvent;
    expect(worker.received).toEqual([
      // A line comes back as the reader made it, without the line itself.
      { kind: 'event', event: first, late: false },
      { kind: 'sweep', at: 123n },
      // An event without its line goes as the object.
      { kind: 'event', event: mine[1], late: true },
      { kind: 'event', event: third, late: false },
    ]);
  });

  it('sends a batch as soon as it is full', () => {
    const worker = standIn();
    const split = new Split([worker]);
    for (let i = 0; i < BATCH_RECORDS; i++) split.sweep(BigInt(i));
    expect(worker.received).toHaveLength(BATCH_RECORDS);
    expect(worker.writer.size).toBe(0);
  });
});

describe('AEGIS_SIMULATE_THREADS', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['  ', undefined],
    ['1', 1],
    ['2', 2],
    [' 4 ', 4],
    ['08', 8],
    [String(MAX_REPLAY_THREADS), MAX_REPLAY_THREADS],
  ])('%j is %j', (value, threads) => {
    expect(threadsFromEnv(value === undefined ? {} : { AEGIS_SIMULATE_THREADS: value })).toBe(
      threads,
    );
  });

  it.each([
    'abc',
    '0',
    '-1',
    '1.5',
    '2e0',
    '0x2',
    '2 threads',
    String(MAX_REPLAY_THREADS + 1),
    '99999999999999999999',
  ])('%j is a usage error naming the variable', (value) => {
    const run = () => threadsFromEnv({ AEGIS_SIMULATE_THREADS: value });
    expect(run).toThrow(UsageError);
    expect(run).toThrow(
      `AEGIS_SIMULATE_THREADS must be a whole number from 1 to ${MAX_REPLAY_THREADS}, not ${JSON.stringify(value)}`,
    );
  });

  it('gives a replay no more threads than it can use', () => {
    expect(replayThreads({ engine: 'native', sharded: false })).toBe(1);
    expect(replayThreads({ engine: 'opa', sharded: false, threads: 4 })).toBe(1);
    expect(replayThreads({ engine: 'native', sharded: true, threads: 4 })).toBe(1);
  });
});
