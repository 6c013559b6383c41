import { describe, expect, it } from 'vitest';
import { assessCost, combineSignals, COST_RULE, decide, evaluateGate, evaluatePairs, EXIT_CODE, gateSlices, MIN_PAIRS, type MeasuredPair } from './verdict.ts';
import type { PairedRatio } from '../stats/paired-ratio.ts';
import { alternatingPairs } from './schedule.ts';

const interval = (low: number, high: number, ratio = Math.sqrt(low * high)): PairedRatio => ({ ratio, low, high, cv: 0, slices: 6 });

const run = (rps: number, p99: number | null = null) => ({ requestsPerSecond: rps, p99LatencyUs: p99 });

/** Pairs in the gate's ABBA order; `speed` is the machine's speed at each run's position (2i, 2i + 1), common to both sides. */
function measuredPairs(baseRps: number, headRps: number, speed: (position: number) => number = () => 1, p99 = false): MeasuredPair[] {
  return alternatingPairs(6).map((order) => ({ order, base: run(0), head: run(0) })).map((pair, i) => {
    const at = (side: 'base' | 'head') => 2 * i + pair.order.indexOf(side);
    const rps = (side: 'base' | 'head') => (side === 'base' ? baseRps : headRps) * speed(at(side));
    return { order: pair.order, base: run(rps('base'), p99 ? 1e6 / rps('base') : null), head: run(rps('head'), p99 ? 1e6 / rps('head') : null) };
  });
}

describe('decide', () => {
  it('fails when the whole interval is below 1 − threshold', () => {
    const d = decide(interval(0.8, 0.89), 0.1);
    expect(d.verdict).toBe('fail');
    expect(d.limit).toBeCloseTo(0.9, 12);
    expect(EXIT_CODE[d.verdict]).toBe(1);
  });

  it('passes when the whole interval is at or above 1 − threshold', () => {
    expect(decide(interval(0.95, 1.05), 0.1).verdict).toBe('pass');
    expect(EXIT_CODE.pass).toBe(0);
  });

  it('is inconclusive when the interval straddles the limit', () => {
    const d = decide(interval(0.85, 0.95), 0.1);
    expect(d.verdict).toBe('inconclusive');
    expect(d.reason).toMatch(/straddles/);
    expect(EXIT_CODE[d.verdict]).toBe(3);
  });

  it('boundary: a lower bound exactly at the limit passes', () => {
    expect(decide(interval(1 - 0.1, 1.1), 0.1).verdict).toBe('pass');
  });

  it('boundary: an upper bound exactly at the limit is not a failure', () => {
    expect(decide(interval(0.8, 1 - 0.1), 0.1).verdict).toBe('inconclusive');
  });

  it('boundary: an upper bound just below the limit fails', () => {
    expect(decide(interval(0.8, 0.9 - 1e-9), 0.1).verdict).toBe('fail');
  });

  it('a faster head passes', () => {
    expect(decide(interval(1.2, 1.4), 0.1).verdict).toBe('pass');
  });

  it('uses the threshold it is given', () => {
    expect(decide(interval(0.8, 0.85), 0.1).verdict).toBe('fail');
    expect(decide(interval(0.8, 0.85), 0.25).verdict).toBe('pass');
  });

  it('rejects a threshold outside (0, 1)', () => {
    expect(() => decide(interval(0.9, 1), 0)).toThrow(/threshold/);
    expect(() => decide(interval(0.9, 1), 10)).toThrow(/threshold/);
  });
});

describe('evaluatePairs (the one paired ratio of bench/stats, head against base)', () => {
  it('places the runs in the order they ran: pair i at 2i and 2i + 1, whichever side went first', () => {
    const pairs = measuredPairs(1000, 900);
    const { base, head } = gateSlices(pairs, (r) => r.requestsPerSecond);
    expect(base.map((s) => s.position)).toEqual([0, 3, 4, 7, 8, 11]);
    expect(head.map((s) => s.position)).toEqual([1, 2, 5, 6, 9, 10]);
  });

  it('computes head/base intervals for throughput and p99, and decides on throughput', () => {
    const result = evaluatePairs(measuredPairs(1000, 500, (x) => 1 + 0.01 * (x % 3), true), 0.1);
    expect(result.throughput.ratio).toBeCloseTo(0.5, 1);
    expect(result.throughput.slices).toBe(6);
    expect(result.p99?.ratio).toBeCloseTo(2, 1);
    expect(result.decision.verdict).toBe('fail');
  });

  it('cancels a drift common to both sides: a machine slowing by 3% per run still reads head = base exactly', () => {
    const result = evaluatePairs(measuredPairs(1000, 1000, (x) => 0.97 ** x), 0.1);
    expect(result.throughput.ratio).toBeCloseTo(1, 12);
    expect(result.throughput.low).toBeCloseTo(1, 12);
    expect(result.throughput.high).toBeCloseTo(1, 12);
    expect(result.decision.verdict).toBe('pass');
  });

  it('the interval is the distribution-free interval of the median of the head runs\' ratios: with 6 pairs their lowest and highest', () => {
    const ratios = [0.97, 1.02, 0.99, 1.04, 0.95, 1.01];
    const pairs = alternatingPairs(6).map((order, i) => ({ order, base: run(1000), head: run(1000 * ratios[i]) }));
    const { throughput } = evaluatePairs(pairs, 0.1);
    expect(throughput.ratio).toBeCloseTo((0.99 + 1.01) / 2, 12);
    expect(throughput.low).toBeCloseTo(0.95, 12);
    expect(throughput.high).toBeCloseTo(1.04, 12);
  });

  it('has no p99 interval when a run has no p99', () => {
    const pairs = measuredPairs(1000, 1000, () => 1, true);
    pairs[0] = { ...pairs[0], base: run(1000, null) };
    const result = evaluatePairs(pairs, 0.1);
    expect(result.p99).toBeNull();
    expect(result.decision.verdict).toBe('pass');
  });

  it('needs the pairs of a distribution-free 95% interval (6) and refuses a run that served nothing', () => {
    expect(MIN_PAIRS).toBe(6);
    expect(() => evaluatePairs(measuredPairs(1000, 1000).slice(0, 5), 0.1)).toThrow(/needs at least 6 pairs, got 5/);
    const pairs = measuredPairs(1000, 1000);
    pairs[2] = { ...pairs[2], head: run(0) };
    expect(() => evaluatePairs(pairs, 0.1)).toThrow(/pair 3: head served no requests/);
  });
});

/** Three windows around `perRequest`, ±`jitter` relative. */
const windows = (perRequest: number, jitter = 0.001) => [perRequest * (1 - jitter), perRequest, perRequest * (1 + jitter)];

describe('assessCost (instructions per request, synthetic windows)', () => {
  it('identical counts pass', () => {
    const a = assessCost({ base: windows(4_500_000), head: windows(4_500_000) });
    expect(a.status).toBe('pass');
    expect(a.ratio).toBeCloseTo(1, 12);
    // The two lowest windows: 0.999 and 1 of the count.
    expect(a.noise).toBeCloseTo(0.001 / 0.999, 12);
  });

  it('+10% of the work fails, +3% is reported without failing, −20% passes', () => {
    expect(assessCost({ base: windows(1e6), head: windows(1.1e6) }).status).toBe('fail');
    const small = assessCost({ base: windows(1e6), head: windows(1.03e6) });
    expect(small.status).toBe('regression');
    expect(small.reason).toMatch(/\+3\.0% instructions per request: a regression above 2\.0%, within the 5\.0% allowed/);
    expect(assessCost({ base: windows(1e6), head: windows(0.8e6) }).status).toBe('pass');
  });

  it('boundaries: exactly +5% is not a failure, exactly +2% is not reported', () => {
    expect(assessCost({ base: [1e6], head: [1.05e6] }, { ...COST_RULE }).status).toBe('regression');
    expect(assessCost({ base: [1e6], head: [1.05e6 + 2] }).status).toBe('fail');
    expect(assessCost({ base: [1e6], head: [1.02e6] }).status).toBe('pass');
  });

  it("takes each side's lowest window, so windows inflated by work that lasts as long as they do (the Date rebuild, idle turns) do not decide", () => {
    // As main's windows under callgrind (2026-12-06): per request rising with the window's length.
    const a = assessCost({ base: [285.9e3, 278.5e3, 283.6e3, 280.0e3, 285.8e3], head: [286.1e3, 278.2e3, 281.9e3, 284.8e3, 280.3e3] });
    expect(a).toMatchObject({ baseFloor: 278.5e3, headFloor: 278.2e3, status: 'pass' });
    expect(a.ratio).toBeCloseTo(278.2 / 278.5, 12);
    // Confirmed: the next lowest within 0.75% (head: 280.3 k over 278.2 k).
    expect(a.noise).toBeCloseTo(2.1 / 278.2, 12);
    // The median would have compared 283.6 k with 281.9 k: −0.6% from the windows' lengths alone.
  });

  it('a floor with no window near it is not confirmed: noisy', () => {
    const a = assessCost({ base: [1e6, 1.02e6, 1.021e6], head: windows(1e6) });
    expect(a.status).toBe('noisy');
    expect(a.reason).toMatch(/two lowest windows of one side differ by 2\.0%/);
  });

  it('windows further apart than the noise limit cannot decide', () => {
    const a = assessCost({ base: windows(1e6, 0.02), head: windows(1.04e6) });
    expect(a.status).toBe('noisy');
    expect(a.reason).toMatch(/two lowest windows of one side differ by 2\.0%/);
  });

  it('noisy windows still fail a rise far above their own spread: every head window above every base window by more than the fail bound', () => {
    // The windows of either side spread 5.4% (as v10's did with timer work inside them); head is +40%.
    const a = assessCost({ base: [814e3, 835e3, 858e3], head: [1.14e6, 1.17e6, 1.2e6] });
    expect(a.noise).toBeGreaterThan(COST_RULE.maxNoise);
    expect(a.separation).toBeCloseTo(1.14e6 / 858e3, 12);
    expect(a.status).toBe('fail');
    expect(a.reason).toMatch(/every head window is above every base window by more than the 5\.0% allowed/);
  });

  it('noisy windows do not fail when the sides overlap or are apart by less than the fail bound', () => {
    // Medians +10%, but one head window lies below the highest base window.
    expect(assessCost({ base: [900e3, 1e6, 1.1e6], head: [1.05e6, 1.1e6, 1.2e6] }).status).toBe('noisy');
    // Every head window above every base window, by 4% only (below the 5% fail bound).
    expect(assessCost({ base: [0.98e6, 1e6, 1.02e6], head: [1.0608e6, 1.08e6, 1.1e6] }).status).toBe('noisy');
    // A fall, however clean the separation, is no failure.
    expect(assessCost({ base: windows(1e6, 0.02), head: windows(0.5e6, 0.02) }).status).toBe('noisy');
  });

  it('refuses missing or impossible counts and a report bound above the fail bound', () => {
    expect(() => assessCost({ base: [], head: [1] })).toThrow(/no instruction counts for base/);
    expect(() => assessCost({ base: [1], head: [0] })).toThrow(/head: instructions per request must be positive/);
    expect(() => assessCost({ base: [1], head: [1] }, { fail: 0.02, report: 0.05, maxNoise: 0.01 })).toThrow(/report bound/);
  });
});

describe('combineSignals (both signals)', () => {
  const tp = (low: number, high: number) => decide(interval(low, high), 0.1);
  const cost = (head: number, jitter = 0.001) => assessCost({ base: windows(1e6, jitter), head: windows(head, jitter) });

  it('instructions fail a head the throughput cannot tell apart', () => {
    const d = combineSignals(tp(0.85, 1.0), cost(1.09e6));
    expect(d).toMatchObject({ verdict: 'fail', decidedBy: 'instructions' });
    expect(d.throughput.verdict).toBe('inconclusive');
  });

  it('the throughput fails what instructions cannot see (system calls, waiting)', () => {
    const d = combineSignals(tp(0.5, 0.6), cost(1e6));
    expect(d).toMatchObject({ verdict: 'fail', decidedBy: 'throughput' });
    expect(d.reason).toMatch(/instructions: head executes \+0\.0%/);
  });

  it('steady instructions pass identical trees even when the throughput interval straddles the limit', () => {
    const d = combineSignals(tp(0.85, 1.05), cost(1e6));
    expect(d).toMatchObject({ verdict: 'pass', decidedBy: 'instructions' });
    expect(d.reason).toMatch(/throughput interval alone could not decide/);
  });

  it('instructions never excuse a throughput drop: an estimate below the limit with a straddling interval is inconclusive', () => {
    const d = combineSignals(tp(0.78, 0.95), cost(1e6));
    expect(d.throughput.verdict).toBe('inconclusive');
    expect(d.throughput.ratio).toBeLessThan(0.9);
    expect(d).toMatchObject({ verdict: 'inconclusive', decidedBy: 'throughput' });
    expect(d.reason).toMatch(/below the limit, a drop the steady instruction count .* does not excuse/);
  });

  it('a large instruction rise in noisy windows fails even when the throughput alone could not decide', () => {
    const noisyRise = assessCost({ base: [814e3, 835e3, 858e3], head: [1.9e6, 2e6, 2.1e6] });
    const d = combineSignals(tp(0.61, 1.05), noisyRise);
    expect(d).toMatchObject({ verdict: 'fail', decidedBy: 'instructions' });
  });

  it('a throughput drop is never excused by instructions: an interval wholly below the limit fails whatever the count says', () => {
    for (const count of [cost(1e6), cost(1.03e6), cost(0.8e6), cost(1e6, 0.05)]) {
      expect(combineSignals(tp(0.7, 0.85), count)).toMatchObject({ verdict: 'fail', decidedBy: 'throughput' });
    }
  });

  it('noisy windows with every head window above every base window by more than the fail bound fail, even when the throughput passes', () => {
    const rise = assessCost({ base: [0.97e6, 1e6, 1.03e6], head: [1.1e6, 1.13e6, 1.16e6] });
    expect(rise.noise).toBeGreaterThan(COST_RULE.maxNoise);
    expect(rise.separation).toBeGreaterThan(1 + COST_RULE.fail);
    const d = combineSignals(tp(0.95, 1.05), rise);
    expect(d.throughput.verdict).toBe('pass');
    expect(d).toMatchObject({ verdict: 'fail', decidedBy: 'instructions' });
  });

  it('an interval straddling the limit is inconclusive unless the instructions decide: no count, a noisy count, or an estimate below the limit', () => {
    expect(combineSignals(tp(0.85, 1.0), null, 'not asked for').verdict).toBe('inconclusive');
    expect(combineSignals(tp(0.85, 1.0), cost(1e6, 0.05)).verdict).toBe('inconclusive');
    expect(combineSignals(tp(0.8, 0.95), cost(1e6)).verdict).toBe('inconclusive');
    expect(combineSignals(tp(0.8, 0.95), cost(1.03e6)).verdict).toBe('inconclusive');
  });

  it('a +3% instruction regression passes, reported', () => {
    const d = combineSignals(tp(0.95, 1.05), cost(1.03e6));
    expect(d.verdict).toBe('pass');
    expect(d.cost?.status).toBe('regression');
  });

  it('without valgrind, or with noisy counts, the throughput decides alone', () => {
    const none = combineSignals(tp(0.85, 1.0), null, 'valgrind is not installed');
    expect(none).toMatchObject({ verdict: 'inconclusive', decidedBy: 'throughput', costNote: 'valgrind is not installed' });
    const noisy = combineSignals(tp(0.95, 1.05), cost(1.03e6, 0.05));
    expect(noisy).toMatchObject({ verdict: 'pass', decidedBy: 'throughput' });
    expect(noisy.costNote).toMatch(/two lowest windows of one side differ by/);
  });

  it('evaluateGate combines measured pairs with measured windows', () => {
    const pairs = measuredPairs(1000, 950, (x) => 1.01 ** x);
    const slower = evaluateGate(pairs, 0.1, { evidence: { base: windows(1e6), head: windows(1.06e6) } });
    expect(slower.decision).toMatchObject({ verdict: 'fail', decidedBy: 'instructions' });
    expect(slower.throughput.ratio).toBeCloseTo(0.95, 12);
    const unmeasured = evaluateGate(pairs, 0.1, { unavailable: 'not asked for' });
    expect(unmeasured.decision).toMatchObject({ verdict: 'pass', decidedBy: 'throughput', costNote: 'not asked for' });
  });
});
