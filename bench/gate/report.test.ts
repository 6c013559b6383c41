import { describe, expect, it } from 'vitest';
import { renderGateError, renderGateReport } from './report.ts';
import type { CostMeasurement } from '../cost/measure.ts';
import type { GateCost, GateResult } from './types.ts';
import { evaluateGate } from './verdict.ts';

function costOf(perRequest: number[]): CostMeasurement {
  const windows = perRequest.map((x, i) => ({ process: 1, window: i + 1, requests: 100, instructions: x * 100, timerInstructions: 0, gcInstructions: 0, seconds: 5, rawPerRequest: x, perRequest: x, processCount: 1 }));
  const spread = { median: perRequest[1], min: Math.min(...perRequest), max: Math.max(...perRequest), range: 0, cv: 0, n: perRequest.length };
  return {
    windows,
    perRequest: spread,
    rawPerRequest: spread,
    timerInstructionsPerSecond: 0,
    gcPerRequest: 0,
    withinProcess: [spread],
    provenance: { valgrind: 'valgrind-3.19.0', node: 'v20.0.0', nodeFlags: ['--predictable'], valgrindArgs: ['--tool=callgrind'], requests: 100, warmupRequests: 30, processes: 1, windowsPerProcess: 3, paths: 1 },
  };
}

const NO_COST: GateCost = { unavailable: 'valgrind is not installed' };

function result(headRps: number[], threshold = 0.1, cost: GateCost = NO_COST, baseRps = [1000, 1020, 980, 1000, 1010, 990]): GateResult {
  const pairs = baseRps.map((b, i) => ({
    pair: i + 1,
    order: (i % 2 === 0 ? ['base', 'head'] : ['head', 'base']) as GateResult['pairs'][number]['order'],
    base: { requestsPerSecond: b, p99LatencyUs: 2500, successfulRequests: b * 2, errors: 0 },
    head: { requestsPerSecond: headRps[i], p99LatencyUs: 5000, successfulRequests: headRps[i] * 2, errors: 0 },
  }));
  return {
    base: { ref: 'main~1', commit: 'a'.repeat(40), subject: 'base | commit' },
    head: { ref: 'HEAD', commit: 'b'.repeat(40), subject: 'head commit' },
    settings: { threshold, pairs: 6, durationSeconds: 2, connections: 8, warmupSeconds: 1, scenario: 'hot', path: '/search?q=x', tool: { name: 'wrk', version: '4.1.0', path: '/usr/bin/wrk' }, cost: null },
    machine: { fingerprint: 'f00d', cpu_model: 'Test CPU', cores: 2, memory_bytes: 4 * 2 ** 30, kernel: '6.1.0', os: 'Linux', node_version: 'v20.0.0', loadAverage: { start: [0.5, 0.25, 0.125], end: [1.5, 0.75, 0.5] } },
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    pairs,
    cost,
    ...evaluateGate(pairs, threshold, 'unavailable' in cost ? cost : { evidence: { base: cost.base.windows.map((w) => w.perRequest), head: cost.head.windows.map((w) => w.perRequest) } }),
  };
}

describe('renderGateReport', () => {
  it('reports a failure with refs, commits, tool, machine, per-pair numbers, ratio and CI', () => {
    const md = renderGateReport(result([500, 500, 500, 500, 500, 500], 0.1, NO_COST, [1000, 1000, 1000, 1000, 1000, 1000]));
    expect(md).toMatch(/^## Regression gate: FAIL/);
    expect(md).toContain('Verdict: **fail** (exit code 1), decided by **throughput**');
    expect(md).toContain('- Instructions per request: not counted — valgrind is not installed.');
    expect(md).toContain('| base | `main~1` | `aaaaaaaaaaaa` | base \\| commit |');
    expect(md).toContain('| head | `HEAD` | `bbbbbbbbbbbb` | head commit |');
    expect(md).toContain('wrk 4.1.0');
    expect(md).toContain('Test CPU, 2 cores, 4.0 GiB');
    expect(md).toContain('Load average (1 / 5 / 15 min): 0.50 / 0.25 / 0.13 at the start, 1.50 / 0.75 / 0.50 at the end');
    expect(md).toContain('| 1 | base → head | 1000 | 2.50 ms | 500 | 5.00 ms | 0.500 | 0/0 |');
    expect(md).toContain('| 2 | head → base | 1000 | 2.50 ms | 500 | 5.00 ms | 0.500 | 0/0 |');
    expect(md).toMatch(/Throughput ratio head\/base: \*\*0\.500\*\* \(95% CI 0\.500–0\.500, 6 pairs\); limit 0\.900 \(threshold 10\.0% slower\)/);
    expect(md).toContain('the median with its distribution-free 95% interval (bench/stats/paired-ratio.ts)');
    expect(md).toMatch(/p99 latency ratio head\/base: \*\*2\.000\*\*/);
  });

  it('reports the run-to-run variation of each side', () => {
    // base 1000, 1020, 980, 1000, 1010, 990: sd 14.14, mean 1000 → 1.4%; head constant → 0.0%
    const md = renderGateReport(result([500, 500, 500, 500, 500, 500]));
    expect(md).toContain('coefficient of variation of req/s): base 1.4%, head 0.0%.');
  });

  it('reports a pass', () => {
    const md = renderGateReport(result([1000, 1020, 980, 1000, 1010, 990]));
    expect(md).toMatch(/^## Regression gate: PASS/);
    expect(md).toContain('Verdict: **pass** (exit code 0)');
  });

  it('reports an inconclusive result as such, with its own exit code', () => {
    const md = renderGateReport(result([800, 1020, 880, 1000, 850, 870]));
    expect(md).toMatch(/^## Regression gate: INCONCLUSIVE/);
    expect(md).toContain('Verdict: **inconclusive** (exit code 3)');
    expect(md).not.toMatch(/PASS|FAIL/);
  });

  it('says when p99 is not available', () => {
    const r = result([1000, 1020, 980, 1000, 1010, 990]);
    r.p99 = null;
    r.pairs[0].base.p99LatencyUs = null;
    const md = renderGateReport(r);
    expect(md).toContain('p99 latency ratio head/base: n/a');
    expect(md).toContain('| 1 | base → head | 1000 | n/a |');
  });
});

describe('renderGateReport with the instruction count', () => {
  it('says the instructions decided a failure the throughput could not see, with the windows', () => {
    const cost = { base: costOf([1_000_000, 1_001_000, 1_002_000]), head: costOf([1_080_000, 1_081_000, 1_082_000]) };
    const md = renderGateReport(result([990, 1000, 1000, 990, 1000, 1000], 0.1, cost));
    expect(md).toMatch(/^## Regression gate: FAIL/);
    expect(md).toContain('Verdict: **fail** (exit code 1), decided by **instructions**. head executes +8.0% instructions per request, more than the 5.0% allowed.');
    expect(md).toContain("- Instructions per request head/base: **1.080** (+8.0%; each side's lowest window: base 1000.0 k, head 1080.0 k, confirmed by the next lowest within 0.1%; lowest head ÷ highest base window 1.078); fails above +5.0%, reported above +2.0%: **FAIL**.");
    expect(md).toContain('on its own: pass');
    expect(md).toContain('| head | 3 | 100 | 5.0 s | 108.2 M | 0.0 M | 0.0 M | 1082.0 k |');
    expect(md).toContain('valgrind-3.19.0, node v20.0.0 --predictable; ');
    expect(md).not.toContain('Startup');
  });

  it('reports a small rise in instructions as a regression while passing', () => {
    const cost = { base: costOf([1_000_000, 1_000_000, 1_000_000]), head: costOf([1_030_000, 1_030_000, 1_030_000]) };
    const md = renderGateReport(result([850, 1020, 930, 1000, 880, 1000], 0.1, cost));
    expect(md).toMatch(/^## Regression gate: PASS/);
    expect(md).toContain('decided by **instructions**');
    expect(md).toContain('**regression reported**');
    expect(md).toContain('the throughput interval alone could not decide');
  });
});

describe('renderGateError', () => {
  it('names both refs and the error, without a verdict', () => {
    const md = renderGateError('main~1', 'HEAD', 'build command `npm run build` failed (exit 1)');
    expect(md).toMatch(/^## Regression gate: ERROR — no verdict/);
    expect(md).toContain('`main~1` (base) with `HEAD` (head) failed (exit code 1)');
    expect(md).toContain('build command `npm run build` failed (exit 1)');
  });
});
