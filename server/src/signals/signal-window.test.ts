import { describe, expect, it } from 'vitest';
import type { ScaleOutRule } from './scale-out.ts';
import { SignalWindow, secondBetween, type CounterSnapshot } from './signal-window.ts';

const bounds = [0.001, 0.01, 0.1];
const rule: ScaleOutRule = { windowSeconds: 2, eventLoopUtilization: 0.9, inFlightRatio: 0.8, p99Seconds: 0.05, rejectionRatio: 0.1 };

/** Cumulative counters after `seconds` seconds of a steady second (`fast` served ≤ 1 ms, `slow` in (10, 100] ms, `shed`). */
function steady(seconds: number, second: { fast: number; slow: number; shed: number; elu: number; inFlight?: number; limit?: number | null }): CounterSnapshot {
  const served = { buckets: [second.fast * seconds, 0, second.slow * seconds], count: (second.fast + second.slow) * seconds };
  return { served, answered: served.count + second.shed * seconds, shed: second.shed * seconds, inFlight: second.inFlight ?? 1, limit: second.limit ?? 10, eventLoopUtilization: second.elu };
}

describe('secondBetween', () => {
  it('takes the second\'s requests, sheds, in-flight ratio and p99 from two snapshots', () => {
    const before = steady(1, { fast: 100, slow: 0, shed: 0, elu: 0.2 });
    const after = { ...steady(2, { fast: 100, slow: 0, shed: 0, elu: 0.2 }), shed: 5, answered: 205, inFlight: 9 };
    expect(secondBetween(before, after, bounds)).toEqual({ eventLoopUtilization: 0.2, requests: 105, shed: 5, inFlightRatio: 0.9, p99Seconds: expect.closeTo(0.001 * 0.99, 6) });
  });

  it('has no in-flight ratio without a limit, and no p99 without a served request', () => {
    const idle = { ...steady(0, { fast: 0, slow: 0, shed: 0, elu: 0 }), limit: null };
    expect(secondBetween(idle, idle, bounds)).toMatchObject({ inFlightRatio: null, p99Seconds: null, requests: 0 });
  });
});

describe('SignalWindow', () => {
  it('sets a baseline with the first snapshot and fires once the whole window is hot', () => {
    const window = new SignalWindow(bounds, rule);
    const busy = { fast: 100, slow: 0, shed: 0, elu: 0.95 };
    const readings = [0, 1, 2, 3].map((s) => window.push(steady(s, busy)));
    expect(readings.map((r) => r.scaleOut)).toEqual([false, false, true, true]);
    expect(readings[0].seconds).toBe(0);
  });

  it('keeps the p99 over the rule\'s window only', () => {
    const window = new SignalWindow(bounds, rule);
    window.push(steady(0, { fast: 0, slow: 0, shed: 0, elu: 0.1 }));
    // A slow second (all served in (10, 100] ms), then two fast ones: the slow one leaves the window.
    const slow = { buckets: [0, 0, 100], count: 100 };
    const afterSlow = { ...steady(0, { fast: 0, slow: 0, shed: 0, elu: 0.1 }), served: slow, answered: 100 };
    expect(window.push(afterSlow).p99Seconds).toBeGreaterThan(0.01);
    const fast1 = { ...afterSlow, served: { buckets: [100, 0, 100], count: 200 }, answered: 200 };
    const fast2 = { ...afterSlow, served: { buckets: [200, 0, 100], count: 300 }, answered: 300 };
    expect(window.push(fast1).p99Seconds).toBeGreaterThan(0.01);
    expect(window.push(fast2).p99Seconds).toBeLessThanOrEqual(0.001);
  });

  it('fires on shedding over the window', () => {
    const window = new SignalWindow(bounds, rule);
    const shedding = { fast: 100, slow: 0, shed: 50, elu: 0.5 };
    const readings = [0, 1, 2].map((s) => window.push(steady(s, shedding)));
    expect(readings.at(-1)).toMatchObject({ scaleOut: true, rejectionRatio: 50 / 150 });
  });
});
