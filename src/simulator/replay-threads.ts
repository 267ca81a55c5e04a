/**
 * A native replay split over threads. This thread reads and parses the traces, counts every
 * record, runs the reorder window and the time filter, and replays the usage keys it keeps
 * (replay.ts, with a HandOff). Each worker thread replays the keys handed to it
 * (replay-worker.ts, replayReleased): it is sent its events as they leave this thread's window,
 * marked late where they were, and the sweeps where they fell (split-batch.ts), so it replays
 * them in the order one thread would. All of a key's events go to one thread, so its usage is
 * what one thread computes, and mergeReports adds the parts up to exactly the one-thread report
 * (the argument that makes `--shard` exact, merge.ts).
 *
 * A key goes to a thread when it is first seen (Split.threadOf); this thread takes a smaller
 * share (READER_WEIGHT). Used only where it can be: the native engine, no `--shard` of the user's, and the
 * compiled worker module present (not when running from the TypeScript sources, as the tests
 * do).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PolicySet } from '../engine/policy-set.js';
import { InputError, UsageError } from '../errors.js';
import { mergeReports } from './merge.js';
import type { HandOff } from './replay.js';
import { BatchWriter, type EventBatch } from './split-batch.js';
import type { SimulationReport, TraceEvent, TraceRecord } from './types.js';

const WORKER = new URL('./replay-worker.js', import.meta.url);

/**
 * This thread's share of the events against a worker's 1: it also reads, parses and orders
 * every event, about as much work on the 1M-event benchmark as replaying 0.7 of them, and a
 * worker parses its own lines again, so two threads even out with a quarter to a third of the
 * events on this one. The benchmark's seven big keys come in sevenths: one, two or three of them
 * here (weights 0.45, 0.3, 0.8) measured within the noise of each other, 5.7 to 5.8 s.
 */
const READER_WEIGHT = 0.3;
/** Batches a worker may have waiting before this thread waits for it; then until half are done. */
const MAX_IN_FLIGHT = 8;

/** What a worker needs to replay its keys, besides the events. */
export interface WorkerJob {
  policy: PolicySet;
  baseline?: PolicySet;
  /** Only whether they are set: the report says `filtered` then (this thread does the filtering). */
  since?: bigint;
  until?: bigint;
  examplesPerTransition?: number;
}

/** This thread -> a worker. */
export type ToWorker = { kind: 'batch'; batch: EventBatch } | { kind: 'end' };

/** A worker -> this thread: a batch taken off its queue, then its report or its error. */
export type FromWorker =
  | { kind: 'taken' }
  | { kind: 'report'; report: SimulationReport }
  | { kind: 'error'; name: string; message: string; hint?: string; stack?: string };

export interface ThreadsRequest {
  engine: string;
  sharded: boolean;
  /** SimulateOptions.threads or AEGIS_SIMULATE_THREADS; else 1. */
  threads?: number;
}

/**
 * The most threads AEGIS_SIMULATE_THREADS may ask for. A larger number is refused, not capped:
 * it is a typo more likely than a machine. Up to it, a number past the machine's cores is
 * capped (replayThreads), so one setting serves CI machines of different sizes.
 */
export const MAX_REPLAY_THREADS = 99;

/**
 * AEGIS_SIMULATE_THREADS as a number of threads; undefined when it is unset or empty. Anything
 * but a whole number from 1 to MAX_REPLAY_THREADS is a usage error naming the variable, rather
 * than a setting quietly ignored.
 */
export function threadsFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const value = env.AEGIS_SIMULATE_THREADS;
  if (value === undefined || value.trim() === '') return undefined;
  const n = /^[0-9]+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!(n >= 1 && n <= MAX_REPLAY_THREADS)) {
    throw new UsageError(
      `AEGIS_SIMULATE_THREADS must be a whole number from 1 to ${MAX_REPLAY_THREADS}, not ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** How many threads a replay gets: what was asked for, as far as the machine has cores. */
export function replayThreads(request: ThreadsRequest): number {
  const wanted = Math.min(request.threads ?? 1, availableParallelism());
  if (!(wanted > 1)) return 1;
  if (request.engine !== 'native' || request.sharded) return 1;
  if (WORKER.protocol !== 'file:' || !existsSync(fileURLToPath(WORKER))) return 1;
  return Math.floor(wanted);
}

/**
 * Starts `threads - 1` workers, runs `own` (this thread's replay, which reads the traces and
 * passes them on through the Split), and merges its report with the workers'.
 */
export async function replayInThreads(
  job: WorkerJob,
  threads: number,
  own: (split: Split) => Promise<SimulationReport>,
): Promise<SimulationReport> {
  const links: WorkerLink[] = [];
  try {
    for (let i = 1; i < threads; i++)
      links.push(new WorkerLink(new Worker(WORKER, { workerData: job })));
    const split = new Split(links);
    const mine = await own(split);
    // The window's last events leave it after the records end: only now is everything sent.
    split.end();
    const theirs = await Promise.all(links.map((link) => link.report));
    return mergeReports([mine, ...theirs]);
  } finally {
    await Promise.all(links.map((link) => link.worker.terminate()));
  }
}

/** A policy set as a worker gets it: what the native engine reads, without policy.wasm. */
export function forWorker(set: PolicySet): PolicySet {
  const { wasm: _wasm, ...rest } = set;
  return rest;
}

/** A worker as the Split sees it (WorkerLink; the tests give it stand-ins). */
export interface Outbox {
  /** The batch being filled. */
  readonly writer: BatchWriter;
  /** Sends the batch and starts another. */
  send(): void;
  /** More batches waiting than MAX_IN_FLIGHT; caughtUp() resolves when it has taken some. */
  readonly behind: boolean;
  caughtUp(): Promise<void>;
  /** Sends what is left and tells the worker the events have ended. */
  end(): void;
}

/** This thread's side of the split: which thread replays each key, and the events sent out. */
export class Split implements HandOff {
  private readonly owners = new Map<string, number>();
  /** Per thread (this one first): its keys, its events so far, and the share it should get. */
  private readonly keys: number[];
  private readonly events: number[];
  private readonly weights: number[];
  private total = 0;

  constructor(private readonly links: readonly Outbox[]) {
    this.keys = new Array<number>(links.length + 1).fill(0);
    this.events = new Array<number>(links.length + 1).fill(0);
    this.weights = [READER_WEIGHT, ...links.map(() => 1)];
  }

  /**
   * A new key goes to the thread with the least load for its share, where a thread's load is
   * its events so far plus, for each of its keys, the events of an average key so far: a trace's
   * keys mostly turn up in its first lines, when their events say little about their volume.
   */
  threadOf(key: string): number {
    let thread = this.owners.get(key);
    if (thread === undefined) {
      const perKey = Math.max(1, this.total / Math.max(1, this.owners.size));
      thread = 0;
      let least = Number.POSITIVE_INFINITY;
      for (let i = 0; i < this.weights.length; i++) {
        const load =
          ((this.keys[i] as number) * perKey + (this.events[i] as number)) /
          (this.weights[i] as number);
        if (load < least) {
          least = load;
          thread = i;
        }
      }
      this.owners.set(key, thread);
      this.keys[thread] = (this.keys[thread] as number) + 1;
    }
    return thread;
  }

  release(event: TraceEvent, thread: number, late: boolean): void {
    this.total++;
    this.events[thread] = (this.events[thread] as number) + 1;
    if (thread === 0) return;
    const link = this.links[thread - 1] as Outbox;
    link.writer.event(event, late);
    if (link.writer.full) link.send();
  }

  sweep(at: bigint): void {
    for (const link of this.links) {
      link.writer.sweep(at);
      if (link.writer.full) link.send();
    }
  }

  /**
   * The records for this thread's replay, as they are; between batches of them it waits for a
   * worker that has fallen behind, so that memory stays bounded.
   */
  async *feed(
    records: AsyncIterable<TraceRecord | readonly TraceRecord[]>,
  ): AsyncGenerator<TraceRecord | readonly TraceRecord[]> {
    for await (const chunk of records) {
      yield chunk;
      for (const link of this.links) if (link.behind) await link.caughtUp();
    }
  }

  /** After the replay on this thread: sends the rest, and tells the workers that is all. */
  end(): void {
    for (const link of this.links) link.end();
  }
}

/** One worker: the batch being filled for it, the batches it has not taken yet, its report. */
class WorkerLink implements Outbox {
  readonly writer = new BatchWriter();
  readonly report: Promise<SimulationReport>;
  private inFlight = 0;
  private failure: Error | undefined;
  private waiting: { resolve: () => void; reject: (error: Error) => void } | undefined;

  constructor(readonly worker: Worker) {
    this.report = new Promise((resolve, reject) => {
      const fail = (error: Error) => {
        this.failure ??= error;
        this.waiting?.reject(error);
        this.waiting = undefined;
        reject(error);
      };
      worker.on('message', (message: FromWorker) => {
        if (message.kind === 'taken') {
          this.inFlight--;
          if (this.waiting && this.inFlight <= MAX_IN_FLIGHT / 2) {
            this.waiting.resolve();
            this.waiting = undefined;
          }
        } else if (message.kind === 'report') resolve(message.report);
        else fail(workerError(message));
      });
      worker.once('error', fail);
      worker.once('exit', (code) =>
        fail(new Error(`replay worker exited (${code}) without a report`)),
      );
    });
    // Awaited after this thread's replay; a failure before that surfaces through caughtUp.
    this.report.catch(() => undefined);
  }

  get behind(): boolean {
    return this.inFlight > MAX_IN_FLIGHT;
  }

  caughtUp(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  send(): void {
    if (this.failure) throw this.failure;
    const { batch, transfer } = this.writer.take();
    this.worker.postMessage({ kind: 'batch', batch } satisfies ToWorker, transfer);
    this.inFlight++;
  }

  end(): void {
    if (this.writer.size > 0) this.send();
    this.worker.postMessage({ kind: 'end' } satisfies ToWorker);
  }
}

/** An error as data that survives postMessage (user errors keep their class). */
export function errorMessage(error: unknown): FromWorker {
  if (!(error instanceof Error)) return { kind: 'error', name: 'Error', message: String(error) };
  return {
    kind: 'error',
    name: error.name,
    message: error.message,
    ...(error instanceof InputError && error.hint !== undefined ? { hint: error.hint } : {}),
    ...(error.stack !== undefined ? { stack: error.stack } : {}),
  };
}

function workerError(message: Extract<FromWorker, { kind: 'error' }>): Error {
  if (message.name === 'InputError') return new InputError(message.message, message.hint);
  if (message.name === 'UsageError') return new UsageError(message.message);
  const error = new Error(`replay worker: ${message.message}`);
  if (message.stack !== undefined) error.stack = message.stack;
  return error;
}
