import { describe, expect, it } from 'vitest';
import { DEFAULT_SCALE_OUT_RULE, ScaleOutWindow, describeRule, hotConditions, type ScaleOutRule, type SecondObservation } from './scale-out.ts';

const rule: ScaleOutRule = { windowSeconds: 3, eventLoopUtilization: 0.9, inFlightRatio: 0.8, p99Seconds: 0.05, rejectionRatio: 0.01 };
const calm: SecondObservation = { eventLoopUtilization: 0.3, requests: 1000, shed: 0, inFlightRatio: 0.1, p99Seconds: 0.002 };
const busy: SecondObservation = { ...calm, eventLoopUtilization: 0.95 };

function pushAll(window: ScaleOutWindow, seconds: SecondObservation[]) {
  return seconds.map((s) => window.push(s));
}

describe('ScaleOutWindow', () => {
  it('does not fire on a calm service', () => {
    const states = pushAll(new ScaleOutWindow(rule), [calm, calm, calm, calm]);
    expect(states.map((s) => s.scaleOut)).toEqual([false, false, false, false]);
    expect(states.at(-1)).toMatchObject({ reasons: [], rejectionRatio: 0, inFlightRatio: 0.1, seconds: 3 });
  });

  it('fires once every second of the window is hot, not before', () => {
    const states = pushAll(new ScaleOutWindow(rule), [calm, busy, busy, busy]);
    expect(states.map((s) => s.scaleOut)).toEqual([false, false, false, true]);
    expect(states.at(-1)?.reasons).toEqual(['every second of the last 3 s was hot (event-loop utilisation)']);
  });

  it('does not fire on a blip: one calm second in the window is enough to hold', () => {
    const states = pushAll(new ScaleOutWindow(rule), [busy, busy, calm, busy, busy]);
    expect(states.map((s) => s.scaleOut)).toEqual([false, false, false, false, false]);
  });

  it('counts any per-second condition, and names those seen', () => {
    const crowded = { ...calm, inFlightRatio: 0.85 };
    const slow = { ...calm, p99Seconds: 0.06 };
    const state = pushAll(new ScaleOutWindow(rule), [busy, crowded, slow]).at(-1);
    expect(state?.scaleOut).toBe(true);
    expect(state?.reasons[0]).toBe('every second of the last 3 s was hot (event-loop utilisation, in-flight ratio, p99)');
  });

  it('fires on the rejection ratio over the window, even when no second is hot', () => {
    const shedding = { ...calm, shed: 40 };
    const states = pushAll(new ScaleOutWindow(rule), [calm, calm, shedding]);
    expect(states.at(-1)?.scaleOut).toBe(true);
    expect(states.at(-1)?.rejectionRatio).toBeCloseTo(40 / 3000);
    expect(states.at(-1)?.reasons).toEqual(['rejection ratio 0.013 >= 0.01']);
  });

  it('forgets seconds older than the window', () => {
    const window = new ScaleOutWindow(rule);
    pushAll(window, [{ ...calm, shed: 500 }, calm, calm]);
    expect(window.state().scaleOut).toBe(true);
    expect(window.push(calm)).toMatchObject({ scaleOut: false, rejectionRatio: 0 });
  });

  it('has no ratios without requests or without a limit', () => {
    const idle = { eventLoopUtilization: 0, requests: 0, shed: 0, inFlightRatio: null, p99Seconds: null };
    expect(pushAll(new ScaleOutWindow(rule), [idle, idle, idle]).at(-1)).toMatchObject({ scaleOut: false, rejectionRatio: null, inFlightRatio: null });
  });

  it('ignores unmeasured values rather than reading them as zero or as hot', () => {
    const unknown = { ...calm, eventLoopUtilization: null, inFlightRatio: null, p99Seconds: null };
    expect(hotConditions(unknown, rule)).toEqual([]);
  });

  it('states the rule in words with its thresholds', () => {
    expect(describeRule(rule)).toBe(
      'scale out when each of the last 3 s has event-loop utilisation >= 0.9 or in-flight >= 0.8 x limit or p99 >= 0.05 s;' +
        ' or when >= 0.01 of the requests of the last 3 s were shed',
    );
  });

  it('refuses an impossible rule with a readable message', () => {
    expect(() => new ScaleOutWindow({ ...DEFAULT_SCALE_OUT_RULE, windowSeconds: 0 })).toThrow(/windowSeconds 0/);
    expect(() => new ScaleOutWindow({ ...DEFAULT_SCALE_OUT_RULE, eventLoopUtilization: 1.5 })).toThrow(/eventLoopUtilization 1.5/);
    expect(() => new ScaleOutWindow({ ...DEFAULT_SCALE_OUT_RULE, rejectionRatio: 0 })).toThrow(/rejectionRatio 0/);
  });
});
