/**
 * The entry of a worker thread of a split replay (replay-threads.ts starts it): replays the
 * events of the keys handed to it, sent as they left the reading thread's reorder window, against
 * the job's policies, and posts back its report. Imported by nothing.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { createEngine } from '../engine/engines.js';
import type { PolicySet } from '../engine/policy-set.js';
import { type PolicyEvaluator, type ReleasedRecord, replayReleased } from './replay.js';
import { errorMessage, type FromWorker, type ToWorker, type WorkerJob } from './replay-threads.js';
import { readBatch } from './split-batch.js';
import type { SimulationReport } from './types.js';

if (parentPort) {
  const port = parentPort;
  replayJob(port, workerData as WorkerJob).then(
    (report) => port.postMessage({ kind: 'report', report } satisfies FromWorker),
    (error: unknown) => port.postMessage(errorMessage(error)),
  );
}

async function replayJob(port: MessagePort, job: WorkerJob): Promise<SimulationReport> {
  const context = { cwd: process.cwd(), env: {} };
  const open = async (set: PolicySet): Promise<PolicyEvaluator> => ({
    set,
    engine: await createEngine('native', set, context),
  });
  const candidate = await open(job.policy);
  const baseline = job.baseline ? await open(job.baseline) : undefined;
  return replayReleased(received(port), {
    // The events are what the readers made of the lines sent (split-batch.ts).
    fromReaders: true,
    candidate,
    ...(baseline ? { baseline } : {}),
    ...(job.since !== undefined ? { since: job.since } : {}),
    ...(job.until !== undefined ? { until: job.until } : {}),
    ...(job.examplesPerTransition !== undefined
      ? { examplesPerTransition: job.examplesPerTransition }
      : {}),
  });
}

/** The batches as they arrive, each read into records when the replay comes to it. */
async function* received(port: MessagePort): AsyncGenerator<ReleasedRecord[]> {
  const queue: ToWorker[] = [];
  let wake: (() => void) | undefined;
  port.on('message', (message: ToWorker) => {
    queue.push(message);
    wake?.();
    wake = undefined;
  });
  for (;;) {
    let message = queue.shift();
    while (!message) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      message = queue.shift();
    }
    if (message.kind === 'end') return;
    port.postMessage({ kind: 'taken' } satisfies FromWorker);
    yield readBatch(message.batch);
  }
}
