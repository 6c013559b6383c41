/** A recorded closed-loop run as a scenario's RoundContext.measure returns it, at a chosen throughput (tests of the open-loop scenarios' capacity). */
import { completeResult } from '../loadgen/result.ts';
import type { Measured } from '../scenarios/module.ts';

export function closedLoopRun(rps: number, runId = 1): Measured {
  const result = completeResult({ ok: true, requestsPerSecond: rps, totalRequests: rps, successfulRequests: rps, non2xx: 0, socketErrors: 0, timeoutErrors: 0, bytes: 0, latencyUs: null, samples: [], raw: '', durationSeconds: 1 }, { cpuSeconds: null, wallSeconds: 1 });
  return { outcome: { run_index: 0, status: 'ok', connections: 1, requests_per_second: rps, avg_latency_us: null, p50_latency_us: null, p90_latency_us: null, p99_latency_us: null, max_latency_us: null, loadgen_saturated: false }, result, runId };
}
