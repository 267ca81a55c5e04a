/**
 * The entry of a shard worker thread (replay-threads.ts starts it): runs the job it is given
 * and posts back the result. Imported by nothing; shard-job.ts has the code.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorResult, runShardJob, type ShardJob, type ShardResult } from './shard-job.js';

if (parentPort) {
  const port = parentPort;
  runShardJob(workerData as ShardJob).then(
    (report) => port.postMessage({ ok: true, report } satisfies ShardResult),
    (error: unknown) => port.postMessage(errorResult(error)),
  );
}
