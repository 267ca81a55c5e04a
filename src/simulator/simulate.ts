/**
 * `aegis simulate` as a library call: read the traces, replay them against the candidate (and
 * the baseline) on one engine, return the report. `strict` is the command's business (it
 * turns malformed records into exit 2); the report is the same either way.
 */
import { createEngine, type Engine, type EngineName } from '../engine/engines.js';
import type { PolicySet } from '../engine/policy-set.js';
import { readTraceBatches } from './readers/read-traces.js';
import { type PolicyEvaluator, replay } from './replay.js';
import {
  forWorker,
  replayInThreads,
  replayThreads,
  type Split,
  threadsFromEnv,
} from './replay-threads.js';
import type { ShardSpec } from './shard.js';
import type { SimulationReport } from './types.js';

export interface SimulateOptions {
  traces: string[];
  cwd: string;
  stdin?: NodeJS.ReadableStream;
  /** The descriptor `stdin` reads (ReadTracesOptions.stdinFd). */
  stdinFd?: number;
  policy: PolicySet;
  baseline?: PolicySet;
  engine: EngineName;
  env: NodeJS.ProcessEnv;
  /** ns since the epoch, inclusive. */
  since?: bigint;
  /** ns since the epoch, exclusive. */
  until?: bigint;
  shard?: ShardSpec;
  strict?: boolean;
  /** Default 5000. */
  reorderWindowMs?: number;
  /** Default 5. */
  examplesPerTransition?: number;
  onProgress?: (eventsSoFar: number) => void;
  /**
   * Threads for a native replay (replay-threads.ts), the same report either way.
   * Default: AEGIS_SIMULATE_THREADS from `env` (threadsFromEnv: a bad value throws), else 1.
   */
  threads?: number;
}

export async function simulate(options: SimulateOptions): Promise<SimulationReport> {
  const threads = replayThreads({
    engine: options.engine,
    sharded: options.shard !== undefined,
    ...threadsAsked(options),
  });
  if (threads > 1) {
    return replayInThreads(
      {
        policy: forWorker(options.policy),
        ...(options.baseline ? { baseline: forWorker(options.baseline) } : {}),
        ...(options.since !== undefined ? { since: options.since } : {}),
        ...(options.until !== undefined ? { until: options.until } : {}),
        ...(options.examplesPerTransition !== undefined
          ? { examplesPerTransition: options.examplesPerTransition }
          : {}),
      },
      threads,
      (split) => simulateOneThread(options, split),
    );
  }
  return simulateOneThread(options);
}

function threadsAsked(options: SimulateOptions): { threads?: number } {
  if (options.threads !== undefined) return { threads: options.threads };
  const n = threadsFromEnv(options.env);
  return n !== undefined ? { threads: n } : {};
}

/** The replay on this thread: all of it, or with a Split, its share of the keys. */
async function simulateOneThread(
  options: SimulateOptions,
  split?: Split,
): Promise<SimulationReport> {
  const context = { cwd: options.cwd, env: options.env };
  const engines: Engine[] = [];
  try {
    const open = async (set: PolicySet): Promise<PolicyEvaluator> => {
      const engine = await createEngine(options.engine, set, context);
      engines.push(engine);
      return { set, engine };
    };
    const candidate = await open(options.policy);
    const baseline = options.baseline ? await open(options.baseline) : undefined;
    const records = readTraceBatches(options.traces, {
      cwd: options.cwd,
      ...(options.stdin ? { stdin: options.stdin } : {}),
      ...(options.stdinFd !== undefined ? { stdinFd: options.stdinFd } : {}),
      // A worker is sent the lines of its events (split-batch.ts).
      ...(split ? { keepText: true } : {}),
    });
    return await replay(split ? split.feed(records) : records, {
      fromReaders: true,
      ...(split ? { handOff: split } : {}),
      candidate,
      ...(baseline ? { baseline } : {}),
      ...(options.since !== undefined ? { since: options.since } : {}),
      ...(options.until !== undefined ? { until: options.until } : {}),
      ...(options.shard ? { shard: options.shard } : {}),
      ...(options.reorderWindowMs !== undefined
        ? { reorderWindowMs: options.reorderWindowMs }
        : {}),
      ...(options.examplesPerTransition !== undefined
        ? { examplesPerTransition: options.examplesPerTransition }
        : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } finally {
    await Promise.all(engines.map((e) => e.close()));
  }
}
