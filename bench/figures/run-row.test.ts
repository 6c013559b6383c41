import { describe, expect, it } from 'vitest';
import { flagRun, generatorWasTheLimit, littlesLawOff, littlesLawRatio, runFigures, runRow, type RunTool } from './run-row.ts';
import { failedResult } from '../loadgen/result.ts';
import type { LoadResult } from '../loadgen/index.ts';
import { wrkGenerator } from '../loadgen/wrk.ts';

/** A 4 s run in which the load generator used `cpu` seconds of CPU. */
const run = (cpu: number | null): LoadResult => ({ ...failedResult(''), ok: true, requestsPerSecond: 1000, cpuSeconds: cpu, wallSeconds: 4 });

describe('generatorWasTheLimit', () => {
  it('is the load generator when it was busy on its core and the server was not on its own', () => {
    expect(generatorWasTheLimit(run(3.8), 1, { seconds: 2.4, cores: 1 })).toBe(true);
  });

  it('is the server when the server used every core it had, however busy the load generator was', () => {
    // the quiet-machine case: wrk at 95% of its CPU, the reference at 100% of its own
    expect(generatorWasTheLimit(run(3.8), 1, { seconds: 4.0, cores: 1 })).toBe(false);
  });

  it("measures the server against its own cores: a CPU quota of 0.2 is full at 0.8 s of 4", () => {
    expect(generatorWasTheLimit(run(3.8), 1, { seconds: 0.8, cores: 0.2 })).toBe(false);
    expect(generatorWasTheLimit(run(3.8), 1, { seconds: 0.8, cores: 2 })).toBe(true);
  });

  it('is not the load generator when it had CPU to spare', () => {
    expect(generatorWasTheLimit(run(2.0), 1, { seconds: 1.0, cores: 1 })).toBe(false);
    expect(generatorWasTheLimit(run(3.8), 2, { seconds: 1.0, cores: 1 })).toBe(false);
  });

  it("counts the load generator as the limit when the server's CPU time is unknown", () => {
    expect(generatorWasTheLimit(run(3.8), 1, { seconds: null, cores: 1 })).toBe(true);
  });

  it("is unknown without the load generator's CPU time", () => {
    expect(generatorWasTheLimit(run(null), 1, { seconds: 4, cores: 1 })).toBeNull();
  });
});

const place = { sessionId: 1, subject: 'v1', commit: null, experiment: '', scenario: 'hot', settingsKey: 'k', round: 0, sequence: 0 };
const tool: RunTool = { generator: wrkGenerator, tool: { name: 'wrk', version: '4.1.0', path: '/usr/bin/wrk' }, threads: 1 };
/** A wrk run: 8 sockets × 4 pipelined = 32 requests outstanding, 40,000 req/s, a mean (per write) latency of `latencyMs`. */
function pipelinedRun(latencyMs: number): { result: LoadResult; request: { url: string; paths: string[]; keepAlive: boolean; connections: number; durationSeconds: number; pipeline: number } } {
  const result: LoadResult = {
    ...failedResult(''), ok: true, failure: undefined, requestsPerSecond: 40_000, totalRequests: 80_000, successfulRequests: 80_000, wallSeconds: 2, cpuSeconds: 1,
    latencyUs: { avg: latencyMs * 1000, p50: latencyMs * 1000, p90: latencyMs * 1000, p99: latencyMs * 1000, max: latencyMs * 1000 },
  };
  return { result, request: { url: 'http://127.0.0.1:1', paths: ['/'], keepAlive: true, connections: 8, durationSeconds: 2, pipeline: 4 } };
}

describe("Little's law over the requests outstanding", () => {
  it('divides by the sockets × the requests pipelined on each, never by the sockets alone', () => {
    // 40,000 req/s × 0.8 ms = 32 requests in flight = 8 sockets × 4.
    expect(littlesLawRatio(40_000, 800, 8, 4)).toBeCloseTo(1, 10);
    expect(littlesLawRatio(40_000, 800, 32)).toBeCloseTo(1, 10);
    expect(littlesLawRatio(null, 800, 8, 4)).toBeNull();
    const { result, request } = pipelinedRun(0.8);
    expect(runRow(place, tool, request, 't', result, { seconds: 2, cores: 1 }).littles_law_ratio).toBeCloseTo(1, 10);
  });

  it('pipelined: a ratio below 1 (the generator between writes) is no contradiction; one above 1 + 20% is', () => {
    expect(littlesLawOff(0.78, 4)).toBe(false); // session 32: the reference's hot slices, 0.73–0.89
    expect(littlesLawOff(1.31, 4)).toBe(true);
    expect(littlesLawOff(0.78, 1)).toBe(true);
    expect(littlesLawOff(1.1, 1)).toBe(false);
    expect(littlesLawOff(null, 4)).toBe(false);
  });

  it('flags a run by the pipeline it was sent with', () => {
    const { result, request } = pipelinedRun(0.62); // 40,000 × 0.62 ms ÷ 32 = 0.78
    const row = runRow(place, tool, request, 't', result, { seconds: 2, cores: 1 });
    const pipelined = new Set<string>();
    flagRun(pipelined, row, result, 4);
    expect(pipelined.has('littles-law')).toBe(false);
    const single = new Set<string>();
    flagRun(single, row, result, 1);
    expect(single.has('littles-law')).toBe(true);
  });
});

describe('runFigures (a gate run)', () => {
  it('keeps the throughput, the p99 and the failed requests', () => {
    const result: LoadResult = { ...run(1), successfulRequests: 4000, non2xx: 2, socketErrors: 1, timeoutErrors: 1, latencyUs: { avg: 900, p50: 800, p90: 1500, p99: 2500, max: 9000 } };
    expect(runFigures(result, 'base run of pair 1')).toEqual({ requestsPerSecond: 1000, p99LatencyUs: 2500, successfulRequests: 4000, errors: 4 });
  });

  it('turns a failed run into an error, never a number', () => {
    expect(() => runFigures(failedResult('wrk was killed by SIGKILL'), 'head run of pair 2')).toThrow('head run of pair 2 failed: wrk was killed by SIGKILL');
  });
});
