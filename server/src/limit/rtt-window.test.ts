import { describe, expect, it } from 'vitest';
import { RttWindow } from './rtt-window.ts';

describe('RttWindow', () => {
  it('has no sample without a served request', () => {
    expect(new RttWindow().take(5)).toBeNull();
  });

  it('takes the mean time from turn start to answer plus the loop delay, and the largest batch position as in flight', () => {
    const window = new RttWindow();
    window.observe(1, 1);
    window.observe(2, 2);
    window.observe(6, 3);
    window.observe(3, 1);
    expect(window.take(2)).toEqual({ rttMs: 3 + 2, inFlight: 3, dropped: false });
  });

  it('starts a new window after each take', () => {
    const window = new RttWindow();
    window.observe(10, 8);
    window.take(0);
    window.observe(1, 2);
    expect(window.take(0)).toEqual({ rttMs: 1, inFlight: 2, dropped: false });
    expect(window.take(0)).toBeNull();
  });

  it('never reads a negative loop delay nor gives a zero RTT', () => {
    const window = new RttWindow();
    window.observe(0, 1);
    expect(window.take(-3)?.rttMs).toBeGreaterThan(0);
    window.observe(1, 1);
    expect(window.take(-3)?.rttMs).toBe(1);
  });
});
