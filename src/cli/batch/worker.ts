/**
 * Worker-thread entry of the batch command (Node only): receives one {@link BatchJob} at a time
 * from the pool (batchPool.ts), converts it with the library and posts the {@link BatchOutcome}.
 */
import { setPlatform } from '../../platform/index.js';
import { nodePlatform } from '../../platform/node.js';
import { parentPort } from 'node:worker_threads';
import { convertJob, failure, type BatchJob } from './convert.js';

// A worker has its own module graph: install node:crypto here too (by a call: a bare side-effect
// import would be dropped by bundlers, package.json says `sideEffects: false`).
setPlatform(nodePlatform);

if (parentPort) {
  const port = parentPort;
  port.on('message', (job: BatchJob) => {
    convertJob(job).then(
      (outcome) => port.postMessage(outcome),
      (e: unknown) => port.postMessage(failure(job.id, e)),
    );
  });
}
