/**
 * One shard of a native replay as a worker thread runs it (shard-worker.ts, started by
 * replay-threads.ts): it reads the traces itself, replays the keys of its shard, and hands back
 * the shard's report, or its error as data that survives postMessage.
 */
import { createEngine } from '../engine/engines.js';
import type { PolicySet } from '../engine/policy-set.js';
import { InputError, UsageError } from '../errors.js';
import { readTraceBatches } from './readers/read-traces.js';
import { type PolicyEvaluator, replay } from './replay.js';
import type { ShardSpec } from './shard.js';
import type { SimulationReport } from './types.js';

export interface ShardJob {
  traces: string[];
  cwd: string;
  policy: PolicySet;
  baseline?: PolicySet;
  since?: bigint;
  until?: bigint;
  shard: ShardSpec;
  reorderWindowMs?: number;
  examplesPerTransition?: number;
}

export type ShardResult =
  | { ok: true; report: SimulationReport }
  | { ok: false; name: string; message: string; hint?: string; stack?: string };

export async function runShardJob(job: ShardJob): Promise<SimulationReport> {
  const context = { cwd: job.cwd, env: {} };
  const open = async (set: PolicySet): Promise<PolicyEvaluator> => ({
    set,
    engine: await createEngine('native', set, context),
  });
  const candidate = await open(job.policy);
  const baseline = job.baseline ? await open(job.baseline) : undefined;
  return replay(readTraceBatches(job.traces, { cwd: job.cwd }), {
    fromReaders: true,
    candidate,
    ...(baseline ? { baseline } : {}),
    ...(job.since !== undefined ? { since: job.since } : {}),
    ...(job.until !== undefined ? { until: job.until } : {}),
    shard: job.shard,
    ...(job.reorderWindowMs !== undefined ? { reorderWindowMs: job.reorderWindowMs } : {}),
    ...(job.examplesPerTransition !== undefined
      ? { examplesPerTransition: job.examplesPerTransition }
      : {}),
  });
}

/** The error as data that survives postMessage, and back (user errors keep their class). */
export function errorResult(error: unknown): ShardResult {
  if (!(error instanceof Error)) return { ok: false, name: 'Error', message: String(error) };
  return {
    ok: false,
    name: error.name,
    message: error.message,
    ...(error instanceof InputError && error.hint !== undefined ? { hint: error.hint } : {}),
    ...(error.stack !== undefined ? { stack: error.stack } : {}),
  };
}

export function resultError(result: Extract<ShardResult, { ok: false }>): Error {
  if (result.name === 'InputError') return new InputError(result.message, result.hint);
  if (result.name === 'UsageError') return new UsageError(result.message);
  const error = new Error(`shard worker: ${result.message}`);
  if (result.stack !== undefined) error.stack = result.stack;
  return error;
}
