/**
 * A native replay over several threads: the trace split into `--shard i/n` shards by usage key,
 * shard 0 replayed on this thread and each other one in a worker thread, the reports merged.
 * Every thread reads and parses the whole trace (the reorder window and the sweeps run on every
 * event, as sharding requires) but evaluates only its own keys; a key's events all go to one
 * thread, in trace order, so its usage is what one thread computes.
 * mergeReports is exact for the shards of one run (merge.ts), so the report is byte for byte
 * the single-thread one.
 *
 * Used only where it can be: the native engine, trace files (stdin can be read once), no
 * `--shard` of the user's, and the compiled worker module present (not when running from the
 * TypeScript sources, as the tests do).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PolicySet } from '../engine/policy-set.js';
import { mergeReports } from './merge.js';
import { resultError, type ShardJob, type ShardResult } from './shard-job.js';
import type { SimulationReport } from './types.js';

const WORKER = new URL('./shard-worker.js', import.meta.url);

export interface ThreadsRequest {
  traces: readonly string[];
  engine: string;
  sharded: boolean;
  /** SimulateOptions.threads or AEGIS_SIMULATE_THREADS; else 1. */
  threads?: number;
}

/**
 * How many threads a replay gets: what was asked for, as far as the machine has cores, and 1
 * where threads cannot be used. One unless asked: each thread repeats the reading and parsing
 * of the whole trace, so n threads cost well over n times the CPU of the evaluation they share
 * out (measured on the 1M-event benchmark: about 16% less wall time for 60% more CPU on two
 * idle cores, and slower than one thread as soon as another process holds a core).
 */
export function replayThreads(request: ThreadsRequest): number {
  const wanted = Math.min(request.threads ?? 1, availableParallelism());
  if (!(wanted > 1)) return 1;
  if (request.engine !== 'native' || request.sharded || request.traces.includes('-')) return 1;
  if (WORKER.protocol !== 'file:' || !existsSync(fileURLToPath(WORKER))) return 1;
  return Math.floor(wanted);
}

/** What one shard needs beyond the shard spec; `own` replays shard 0 on this thread. */
export async function replayInThreads(
  job: Omit<ShardJob, 'shard'>,
  threads: number,
  own: (shard: { index: number; count: number }) => Promise<SimulationReport>,
): Promise<SimulationReport> {
  const workers: Worker[] = [];
  try {
    const others = Array.from({ length: threads - 1 }, (_, i) => {
      const worker = new Worker(WORKER, {
        workerData: { ...job, shard: { index: i + 1, count: threads } } satisfies ShardJob,
      });
      workers.push(worker);
      return shardReport(worker);
    });
    const reports = await Promise.all([own({ index: 0, count: threads }), ...others]);
    return mergeReports(reports);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function shardReport(worker: Worker): Promise<SimulationReport> {
  return new Promise((resolve, reject) => {
    worker.once('message', (result: ShardResult) => {
      if (result.ok) resolve(result.report);
      else reject(resultError(result));
    });
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`shard worker exited (${code}) without a report`)),
    );
  });
}

/** A policy set as a worker gets it: what the native engine reads, without policy.wasm. */
export function forWorker(set: PolicySet): PolicySet {
  const { wasm: _wasm, ...rest } = set;
  return rest;
}
