import { describe, expect, it } from 'vitest';
import { generatorWasTheLimit, runFigures } from './run-row.ts';
import { failedResult } from '../loadgen/result.ts';
import type { LoadResult } from '../loadgen/index.ts';

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

describe('runFigures (a gate run)', () => {
  it('keeps the throughput, the p99 and the failed requests', () => {
    const result: LoadResult = { ...run(1), successfulRequests: 4000, non2xx: 2, socketErrors: 1, timeoutErrors: 1, latencyUs: { avg: 900, p50: 800, p90: 1500, p99: 2500, max: 9000 } };
    expect(runFigures(result, 'base run of pair 1')).toEqual({ requestsPerSecond: 1000, p99LatencyUs: 2500, successfulRequests: 4000, errors: 4 });
  });

  it('turns a failed run into an error, never a number', () => {
    expect(() => runFigures(failedResult('wrk was killed by SIGKILL'), 'head run of pair 2')).toThrow('head run of pair 2 failed: wrk was killed by SIGKILL');
  });
});
