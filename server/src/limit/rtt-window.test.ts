import { describe, expect, it } from 'vitest';
import { RttWindow } from './rtt-window.ts';

describe('RttWindow', () => {
  it('has no sample without a served request', () => {
    expect(new RttWindow().take(250)).toBeNull();
    const idle = new RttWindow();
    idle.observeTurn(0, 0, 3, 2); // three requests, none of them a search served
    expect(idle.take(250)).toBeNull();
  });

  it('takes the mean time from turn start to answer plus the loop delay, and the largest batch as in flight', () => {
    const window = new RttWindow();
    window.observeTurn(3, 1 + 2 + 6, 3, 6);
    window.observeTurn(1, 3, 1, 4);
    // Delay: turns of 6 and 4 ms in a 13 ms window: (36 + 16) / 26 = 2 ms.
    expect(window.take(13)).toEqual({ rttMs: 3 + 2, inFlight: 3, dropped: false });
  });

  it('waits behind long turns more than their share of the window: Σ turn² ÷ (2 × window)', () => {
    const window = new RttWindow();
    window.observeTurn(1, 1, 1, 10);
    window.observeTurn(1, 1, 1, 10);
    expect(window.loopDelayMs(100)).toBe(1); // 200 / 200
    expect(window.loopDelayMs(20)).toBe(5); // back to back: half a turn
  });

  it('starts a new window after each take', () => {
    const window = new RttWindow();
    window.observeTurn(1, 10, 8, 10);
    window.take(100);
    window.observeTurn(1, 1, 2, 0);
    expect(window.take(100)).toEqual({ rttMs: 1, inFlight: 2, dropped: false });
    expect(window.take(100)).toBeNull();
  });

  it('never gives a zero RTT', () => {
    const window = new RttWindow();
    window.observeTurn(1, 0, 1, 0);
    expect(window.take(0)?.rttMs).toBeGreaterThan(0);
  });
});
