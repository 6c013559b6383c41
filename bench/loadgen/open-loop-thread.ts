/**
 * The open-loop generator on a thread of its own (a worker thread running ./open-loop-worker.ts).
 *
 * Why: on the bench's own thread the generator shared its heap with the orchestrator. Its
 * answers' buffers made V8 finish a mark-compact of that whole heap every 0.5–0.6 s, each
 * pausing the thread 20–30 ms; the sends due meanwhile went out together, 20–25 ms late
 * (under the 50 ms lag tolerance, so unflagged), and the server met them as a burst — a
 * limiter counting requests per loop turn refused some. Capacity searches of the same server
 * then read 2,000–5,500 req/s from one search to the next (bench/loadgen/README.md, open loop). On
 * a thread of its own the generator has a heap of its own, a few MB, that the orchestrator's
 * never stops.
 *
 * The worker is bundled once per source (esbuild, into node_modules/.cache like the autocannon
 * worker) so it needs no TypeScript loader, under tsx or vitest alike. A fresh thread per run:
 * every schedule starts from an empty heap.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { buildSync } from 'esbuild';
import { checkOpenLoopRequest, type OpenLoopRequest, type OpenLoopResult, type OpenLoopSecond } from './open-loop.ts';
import { workerFile } from './worker-file.ts';

let compiled: string | null = null;

/** The worker bundled with its imports (undici left to resolve from node_modules), written once per content. */
function compiledWorkerPath(): string {
  if (compiled !== null && existsSync(compiled)) return compiled;
  const entry = join(dirname(fileURLToPath(import.meta.url)), 'open-loop-worker.ts');
  const built = buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['undici'], write: false, logLevel: 'silent' });
  const code = built.outputFiles[0]!.text;
  compiled = workerFile('open-loop-worker', code, () => code, 'undici');
  return compiled;
}

type WorkerMessage = { type: 'second'; second: OpenLoopSecond } | { type: 'result'; result: OpenLoopResult } | { type: 'error'; message: string };

/**
 * Runs the schedule on a thread of its own; onSecond gets each second as soon as it is closed
 * (on this thread). Bounded like driveOpenLoop: schedule + timeout + 2 s. A bad request is
 * refused here, before any thread starts; an error of onSecond is thrown once the run ends.
 */
export async function runOpenLoop(request: OpenLoopRequest, onSecond?: (second: OpenLoopSecond) => void): Promise<OpenLoopResult> {
  checkOpenLoopRequest(request);
  const worker = new Worker(compiledWorkerPath(), { workerData: request, stdout: false, stderr: false });
  let callbackError: unknown = null;
  let outcome: { result: OpenLoopResult } | { error: Error } | null = null; // set by 'exit' at the latest
  await new Promise<void>((resolve) => {
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'second') {
        try {
          onSecond?.(message.second);
        } catch (error) {
          callbackError ??= error;
        }
      } else if (message.type === 'result') outcome = { result: message.result };
      else outcome = { error: new Error(message.message) };
    });
    worker.on('error', (error) => { outcome ??= { error }; });
    worker.on('exit', (code) => {
      outcome ??= { error: new Error(`the open-loop generator's thread exited (code ${code}) before its result`) };
      resolve();
    });
  });
  const ended = outcome as unknown as { result: OpenLoopResult } | { error: Error };
  if ('error' in ended) throw ended.error;
  if (callbackError !== null) throw callbackError;
  return ended.result;
}
