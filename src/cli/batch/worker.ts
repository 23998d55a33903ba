/**
 * Worker-thread entry of the batch command (Node only): receives one {@link BatchJob} at a time
 * from the pool (batchPool.ts), converts it with the library and posts the {@link BatchOutcome}.
 */
import '../../platform/node-install.js'; // a worker has its own module graph: install node:crypto here too
import { parentPort } from 'node:worker_threads';
import { convertJob, failure, type BatchJob } from './convert.js';

if (parentPort) {
  const port = parentPort;
  port.on('message', (job: BatchJob) => {
    convertJob(job).then(
      (outcome) => port.postMessage(outcome),
      (e: unknown) => port.postMessage(failure(job.id, e)),
    );
  });
}
