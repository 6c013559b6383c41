import { GradientLimiter, type GradientOptions } from './gradient.ts';
import type { InFlightLimit } from './in-flight-limit.ts';
import { RttWindow } from './rtt-window.ts';

/** How often the limit is recomputed: short enough to follow a ramp within a few seconds. */
export const LIMITER_WINDOW_MS = 250;

/**
 * The adaptive concurrency limit at work: the loop turns' searches (their times from the
 * turn's start) and the turns' lengths (the loop delay), folded into one sample per window
 * for a gradient limiter. No timer and no delay monitor (chapter 11): a window closes at the
 * first turn that ends past its length, so a quiet loop costs nothing, and the loop delay
 * comes from the turns already measured (chapter 9 read a 10 ms event-loop-delay monitor,
 * whose mean and reset cost more per window than the requests they described).
 */
export class AdaptiveLimit implements InFlightLimit {
  readonly #limiter: GradientLimiter;
  readonly #window = new RttWindow();
  readonly #windowMs: number;
  #windowStart = -1;

  constructor(options: Partial<GradientOptions> = {}, windowMs = LIMITER_WINDOW_MS) {
    this.#limiter = new GradientLimiter(options);
    this.#windowMs = windowMs;
  }

  /** The limit in force: requests admitted per loop turn. */
  get limit(): number {
    return this.#limiter.limit;
  }

  /** Long-term ("no-load") RTT estimate, ms (0 before the first window with traffic). */
  get rttNoLoadMs(): number {
    return this.#limiter.rttNoLoadMs;
  }

  /** The last window's RTT, ms (0 before the first window with traffic). */
  get rttMs(): number {
    return this.#limiter.rttMs;
  }

  current(): number {
    return this.#limiter.limit;
  }

  /** A loop turn folded: its searches served, the sum of their ms from its start, its batch, its length, when it ended (ms, the turn's clock). */
  turn(searches: number, searchMs: number, batch: number, turnMs: number, endedAt: number): void {
    if (this.#windowStart < 0) this.#windowStart = endedAt - turnMs;
    this.#window.observeTurn(searches, searchMs, batch, turnMs);
    const elapsed = endedAt - this.#windowStart;
    if (elapsed < this.#windowMs) return;
    this.#windowStart = endedAt;
    const sample = this.#window.take(elapsed);
    if (sample !== null) this.#limiter.update(sample);
  }

  /** Nothing to stop any more (no timer); kept for the service's shutdown. */
  close(): void {}
}
