import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { GradientLimiter, type GradientOptions } from './gradient.ts';
import type { InFlightLimit } from './in-flight-limit.ts';
import { RttWindow } from './rtt-window.ts';

/** How often the limit is recomputed: short enough to follow a ramp within a few seconds. */
export const LIMITER_WINDOW_MS = 250;
/** The loop-delay monitor's timer period; its readings include it, so it is subtracted. */
const LOOP_DELAY_RESOLUTION_MS = 10;

/**
 * The adaptive concurrency limit at work: the served requests' times from their loop turn's
 * start, plus the event-loop delay, folded into one sample per window for a gradient limiter.
 * The timer is unref'd; `close()` stops it and the delay monitor.
 */
export class AdaptiveLimit implements InFlightLimit {
  readonly #limiter: GradientLimiter;
  readonly #window = new RttWindow();
  readonly #loopDelay: IntervalHistogram;
  readonly #timer: NodeJS.Timeout;

  constructor(options: Partial<GradientOptions> = {}, windowMs = LIMITER_WINDOW_MS) {
    this.#limiter = new GradientLimiter(options);
    this.#loopDelay = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
    this.#loopDelay.enable();
    this.#timer = setInterval(() => this.#endWindow(), windowMs).unref();
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

  /** A served request: `elapsedSeconds` from its loop turn's start to its answer, `position`-th of the turn. */
  served(elapsedSeconds: number, position: number): void {
    this.#window.observe(elapsedSeconds * 1000, position);
  }

  close(): void {
    clearInterval(this.#timer);
    this.#loopDelay.disable();
  }

  #endWindow(): void {
    const delayMs = this.#loopDelay.count === 0 ? 0 : this.#loopDelay.mean / 1e6 - LOOP_DELAY_RESOLUTION_MS;
    this.#loopDelay.reset();
    const sample = this.#window.take(delayMs);
    if (sample !== null) this.#limiter.update(sample);
  }
}
