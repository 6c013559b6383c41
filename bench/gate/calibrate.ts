/**
 * How much extra work makes the real server a given fraction slower (trials.ts --server).
 * A server pinned to its cores and saturated by the load generator spends c CPU seconds per
 * request; to lose a fraction s of its throughput a request must take c / (1 − s), so the
 * extra work is c · (1 / (1 − s) − 1), in busy-loop iterations of measured speed. The
 * trials print the head/base throughput each gate run measured: the check of this estimate.
 */
import { performance } from 'node:perf_hooks';
import { readTreeCpuSeconds } from '../proc/cpu.ts';
import { pinPrefix, planPinning } from '../proc/pinning.ts';
import { requireTool } from '../loadgen/index.ts';
import { scenario } from '../scenarios/index.ts';
import type { Cleanup } from '../subject/cleanup.ts';
import { launchSubject, prepareSubjectTree } from '../subject/subject.ts';

/** Iterations of the busy loop that add `slowdown` of throughput loss to a request of `cpuSecondsPerRequest` (pure). */
export function iterationsForSlowdown(slowdown: number, cpuSecondsPerRequest: number, nanosecondsPerIteration: number): number {
  if (!(slowdown > 0 && slowdown < 1)) throw new Error(`a slowdown is a fraction between 0 and 1, got ${slowdown}`);
  if (!(cpuSecondsPerRequest > 0 && nanosecondsPerIteration > 0)) throw new Error('the CPU time per request and the loop speed must be positive');
  const extraSeconds = cpuSecondsPerRequest * (1 / (1 - slowdown) - 1);
  return Math.max(1, Math.round((extraSeconds * 1e9) / nanosecondsPerIteration));
}

/** Nanoseconds per iteration of the extra-work loop (server-repo.ts), optimised as in the server: median of 7 timed runs. */
export function loopNanoseconds(iterations = 2_000_000): number {
  const times: number[] = [];
  let x = 0;
  for (let run = 0; run < 8; run++) {
    const started = performance.now();
    for (let i = 0; i < iterations; i++) x = (x + Math.sqrt(i * 7 + x)) % 1e9;
    if (run > 0) times.push(((performance.now() - started) * 1e6) / iterations); // the first run warms the JIT
  }
  if (!Number.isFinite(x)) throw new Error('the calibration loop went wrong');
  return times.sort((a, b) => a - b)[3];
}

/** CPU seconds per request of `commit`'s server, saturated as the gate loads it (pinned, hot path, `connections`, wrk). */
export async function cpuSecondsPerRequest(repo: string, commit: string, cleanup: Cleanup, options: { connections: number; seconds: number; log: (line: string) => void }): Promise<number> {
  const pinning = await planPinning(true);
  const { generator } = await requireTool('wrk');
  const tree = await prepareSubjectTree(repo, commit, cleanup, { onLog: (line) => options.log(`calibrate: ${line}`) });
  const server = await launchSubject(tree, cleanup, { wrap: pinPrefix(pinning.serverCpus) });
  try {
    const request = { url: server.url, paths: [scenario('hot').paths[0]], connections: options.connections, keepAlive: true, threads: 1, cpus: pinning.loadgenCpus ?? undefined };
    await generator.run({ ...request, durationSeconds: 3 }); // warm-up
    const before = readTreeCpuSeconds(server.pid);
    const result = await generator.run({ ...request, durationSeconds: options.seconds });
    const after = readTreeCpuSeconds(server.pid);
    if (!result.ok || before === null || after === null || result.successfulRequests === 0) throw new Error(`calibration run failed: ${result.failure ?? 'the server is gone'}`);
    const perRequest = (after - before) / result.successfulRequests;
    options.log(`calibrate: ${result.successfulRequests} requests in ${options.seconds} s, server CPU ${(after - before).toFixed(2)} s: ${(perRequest * 1e6).toFixed(1)} µs per request`);
    return perRequest;
  } finally {
    await server.stop();
  }
}
