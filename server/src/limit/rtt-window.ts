import type { LimiterSample } from './gradient.ts';

/**
 * Folds the loop turns of one limiter window into one sample. Pure.
 *
 * Why not each request's own handling time: the handlers answer synchronously, so it hardly
 * grows under overload. The queue is the batch each loop turn reads from the sockets (and,
 * before that, the kernel's buffers): a request waits for those read before it in its turn,
 * and for the turn in progress when it arrived (the event-loop delay). The window adds to the
 * mean time from turn start to answer the mean wait of an arrival at a random moment of the
 * window behind the turn then in progress: Σ turn² ÷ (2 × window), as for any renewal process
 * (a long turn is both more likely to be hit and longer to wait for).
 */
export class RttWindow {
  #served = 0;
  #sumMs = 0;
  #largestBatch = 0;
  #sumTurnSquaredMs = 0;

  /** One loop turn: `searches` served in it, `searchMs` the sum of their times from its start, its `batch` and length. */
  observeTurn(searches: number, searchMs: number, batch: number, turnMs: number): void {
    this.#served += searches;
    this.#sumMs += searchMs;
    if (batch > this.#largestBatch) this.#largestBatch = batch;
    this.#sumTurnSquaredMs += turnMs * turnMs;
  }

  /** The mean wait (ms) behind the turn in progress of an arrival at a random moment of a window `windowMs` long. */
  loopDelayMs(windowMs: number): number {
    return windowMs > 0 ? this.#sumTurnSquaredMs / (2 * windowMs) : 0;
  }

  /**
   * The window's sample — RTT = the mean time from turn start to answer plus the loop's delay
   * over the window's `windowMs` — then starts a new window. Null when nothing was served: no
   * latency to learn from.
   */
  take(windowMs: number): LimiterSample | null {
    const sample: LimiterSample | null =
      this.#served === 0
        ? null
        : { rttMs: Math.max(MIN_RTT_MS, this.#sumMs / this.#served + this.loopDelayMs(windowMs)), inFlight: this.#largestBatch, dropped: false };
    this.#served = this.#sumMs = this.#largestBatch = this.#sumTurnSquaredMs = 0;
    return sample;
  }
}

/** A request can be answered in no measurable time; the limiter needs a positive RTT. */
const MIN_RTT_MS = 0.001;
