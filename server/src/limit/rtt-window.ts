import type { LimiterSample } from './gradient.ts';

/**
 * Folds the served requests of one limiter window into one sample. Pure.
 *
 * Why not each request's own handling time: the handlers answer synchronously, so it hardly
 * grows under overload. The queue is the batch each loop turn reads from the sockets (and,
 * before that, the kernel's buffers): a request waits for those read before it in its turn,
 * and for the turn before (the event-loop delay). Each observation is the time from the start
 * of the request's loop turn to its answer; the window adds the loop delay to their mean.
 */
export class RttWindow {
  #served = 0;
  #sumMs = 0;
  #largestBatch = 0;

  /** A request served `elapsedMs` after its loop turn began, `position`-th of that turn's batch. */
  observe(elapsedMs: number, position: number): void {
    this.#served++;
    this.#sumMs += elapsedMs;
    if (position > this.#largestBatch) this.#largestBatch = position;
  }

  /**
   * The window's sample — RTT = the mean time from turn start to answer plus the loop's delay
   * (ms, the monitor's own period already subtracted) — then starts a new window. Null when
   * nothing was served: no latency to learn from.
   */
  take(loopDelayMs: number): LimiterSample | null {
    const sample: LimiterSample | null =
      this.#served === 0
        ? null
        : { rttMs: Math.max(MIN_RTT_MS, this.#sumMs / this.#served + Math.max(0, loopDelayMs)), inFlight: this.#largestBatch, dropped: false };
    this.#served = this.#sumMs = this.#largestBatch = 0;
    return sample;
  }
}

/** A request can be answered in no measurable time; the limiter needs a positive RTT. */
const MIN_RTT_MS = 0.001;
