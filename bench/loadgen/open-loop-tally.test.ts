import { describe, expect, it } from 'vitest';
import { SecondTally, checkSchedule, intendedSendTimesMs, outcomeOfStatus, percentileOfSorted, phaseAt } from './open-loop-tally.ts';

describe('outcomeOfStatus', () => {
  it('serves 2xx, rejects 503 and 429, fails the rest', () => {
    expect([200, 204, 299].map(outcomeOfStatus)).toEqual(['completed', 'completed', 'completed']);
    expect([503, 429].map(outcomeOfStatus)).toEqual(['rejected', 'rejected']);
    expect([301, 404, 500, 502, 504].map(outcomeOfStatus)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed']);
  });
});

describe('the schedule', () => {
  it('spaces sends evenly in each phase, phase after phase', () => {
    expect(Array.from(intendedSendTimesMs([{ rate: 4, seconds: 1 }, { rate: 2, seconds: 2 }])))
      .toEqual([0, 250, 500, 750, 1000, 1500, 2000, 2500]);
  });
  it('refuses empty schedules, fractional rates and fractional seconds', () => {
    expect(() => checkSchedule([])).toThrow(/at least one phase/);
    expect(() => checkSchedule([{ rate: 2.5, seconds: 1 }])).toThrow(/phase 1: rate must be a positive integer/);
    expect(() => checkSchedule([{ rate: 2, seconds: 1 }, { rate: 2, seconds: 0.5 }])).toThrow(/phase 2: seconds/);
  });
  it('maps seconds to phases, null after the schedule', () => {
    const phases = [{ rate: 1, seconds: 2 }, { rate: 1, seconds: 1 }];
    expect([0, 1, 2, 3].map((second) => phaseAt(phases, second))).toEqual([{ index: 0, secondInPhase: 0 }, { index: 0, secondInPhase: 1 }, { index: 1, secondInPhase: 0 }, null]);
  });
});

describe('percentileOfSorted', () => {
  it('takes the nearest rank, null for none', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileOfSorted(values, 0.5)).toBe(50);
    expect(percentileOfSorted(values, 0.99)).toBe(99);
    expect(percentileOfSorted([7], 0.99)).toBe(7);
    expect(percentileOfSorted([], 0.5)).toBeNull();
  });
});

describe('SecondTally', () => {
  it('counts sends by intended second, answers by arrival second, latency from the intended time', () => {
    const tally = new SecondTally([{ rate: 2, seconds: 2 }], 50_000);
    tally.sent(0, 1);
    tally.sent(500, 500);
    tally.ended(0, 300, 'completed');     // 300 ms from its intended time
    const first = tally.close(0);
    tally.ended(500, 1200, 'completed');  // answered in second 1: 700 ms
    expect(first).toMatchObject({ second: 0, phaseIndex: 0, offered: 2, completed: 1, rejected: 0, failed: 0, inFlight: 1, p50LatencyUs: 300_000, p99LatencyUs: 300_000, p999LatencyUs: 300_000, maxLatencyUs: 300_000, maxSendLagUs: 1000, generatorBehind: false });
    tally.sent(1000, 1100);
    tally.ended(1000, 1150, 'rejected');
    const second = tally.close(1);
    expect(second).toMatchObject({ offered: 1, completed: 1, rejected: 1, inFlight: 0, p99LatencyUs: 700_000, maxLatencyUs: 700_000, maxSendLagUs: 100_000, generatorBehind: true });
    expect(tally.close(2)).toMatchObject({ second: 2, phaseIndex: null, offered: 0, completed: 0, p50LatencyUs: null, p99LatencyUs: null });
  });
});

describe('in flight at the end of a second', () => {
  it('is what was intended by then and had not ended by then, however late the second is closed', () => {
    const tally = new SecondTally([{ rate: 2, seconds: 2 }], 50_000);
    tally.sent(0, 0);
    tally.sent(500, 500);
    tally.sent(1000, 1900);   // a late generator: second 0 and 1 are closed together at 1.9 s
    tally.ended(0, 1800, 'completed');
    const [first, second] = [tally.close(0), tally.close(1)];
    expect(first?.inFlight).toBe(2);
    expect(second?.inFlight).toBe(2);
    expect(tally.inFlight).toBe(2);
  });
});

describe('answers after the last second', () => {
  it('are not yet counted when the last second closes late: the run must close one more second', () => {
    const tally = new SecondTally([{ rate: 1, seconds: 1 }], 50_000);
    tally.sent(0, 0);
    tally.ended(0, 1010, 'completed'); // answered 10 ms after the schedule's end; the timer that closes second 0 fires at 1.03 s
    const last = tally.close(0);
    expect(last).toMatchObject({ offered: 1, completed: 0, inFlight: 1 });
    expect(tally.inFlight).toBe(0);
    expect(tally.endedInOpenSeconds).toBe(1); // stopping here would lose the answer from every row
    expect(tally.close(1)).toMatchObject({ phaseIndex: null, offered: 0, completed: 1, inFlight: 0 });
    expect(tally.endedInOpenSeconds).toBe(0);
  });
});
