// The open-loop generator's thread (started by ./open-loop-thread.ts): runs one schedule with
// driveOpenLoop and posts each closed second, then the result, to the bench's thread.
// Input: workerData = OpenLoopRequest. Messages out: { type: 'second', second },
// { type: 'result', result }, { type: 'error', message }.
import { parentPort, workerData } from 'node:worker_threads';
import { driveOpenLoop, type OpenLoopRequest } from './open-loop.ts';

const port = parentPort;
if (port === null) throw new Error('open-loop-worker.ts runs as a worker thread (open-loop-thread.ts starts it)');

try {
  const result = await driveOpenLoop(workerData as OpenLoopRequest, (second) => port.postMessage({ type: 'second', second }));
  port.postMessage({ type: 'result', result });
} catch (error) {
  port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}
