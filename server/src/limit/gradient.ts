/**
 * An adaptive concurrency limit in the Vegas / Gradient2 family (after Netflix's
 * concurrency-limits, `Gradient2Limit`): the limit follows the ratio of a long-term
 * ("no-load") round-trip time to the current one, smoothed and bounded, plus a small queue
 * allowance that lets it probe upwards while latency stays low.
 *
 * One change from Gradient2: the no-load RTT falls at once to a lower sample (as Vegas's
 * minimum does) and rises only by the slow exponential average. Gradient2 averages both ways,
 * so traffic that starts with a burst teaches it a "normal" of the burst's latency, and the
 * limit then grows through the overload (seen against this server at start-up).
 *
 * Pure: no timers, no clock. The caller aggregates one sample per window (an RTT, the
 * in-flight count, whether something was dropped) and calls `update`; the same sequence of
 * samples always gives the same limits.
 */

export interface GradientOptions {
  /** The limit before any sample. */
  initialLimit: number;
  /** The limit never goes below this (it must still admit some work to measure). */
  minLimit: number;
  /** Upper failsafe bound. */
  maxLimit: number;
  /** Weight of a new estimate against the current limit, (0, 1]; lower = slower, steadier. */
  smoothing: number;
  /** How much the current RTT may exceed the no-load RTT before the limit shrinks (≥ 1). */
  rttTolerance: number;
  /** Samples in the no-load RTT's exponential average (how slowly it rises): the memory of "normal". */
  longWindow: number;
  /** How far the limit may grow per estimate while latency is low, as a function of the limit. */
  queueSize: (limit: number) => number;
}

export interface LimiterSample {
  /** The round-trip time observed over the window, ms (> 0). */
  rttMs: number;
  /** Requests in flight when the sample was taken (the most the window saw). */
  inFlight: number;
  /** Something failed (timeout, error) in the window: shrink as if the queue were long. */
  dropped: boolean;
}

/** The gradient is clamped to [MIN_GRADIENT, 1]: one outlier at most halves the estimate. */
const MIN_GRADIENT = 0.5;

export const DEFAULT_GRADIENT_OPTIONS: GradientOptions = {
  initialLimit: 64,
  minLimit: 4,
  maxLimit: 1024,
  smoothing: 0.2,
  rttTolerance: 1.5,
  longWindow: 600,
  queueSize: (limit) => Math.max(4, Math.floor(Math.sqrt(limit))),
};

export class GradientLimiter {
  readonly options: GradientOptions;
  #estimate: number;
  #rttNoLoadMs = 0;
  #rttMs = 0;
  #samples = 0;

  constructor(options: Partial<GradientOptions> = {}) {
    this.options = { ...DEFAULT_GRADIENT_OPTIONS, ...options };
    checkOptions(this.options);
    this.#estimate = this.options.initialLimit;
  }

  /** The limit in force: whole requests. */
  get limit(): number {
    return Math.floor(this.#estimate);
  }

  /** The long-term RTT estimate, ms (0 before the first sample). */
  get rttNoLoadMs(): number {
    return this.#rttNoLoadMs;
  }

  /** The last sample's RTT, ms (0 before the first sample). */
  get rttMs(): number {
    return this.#rttMs;
  }

  /** Folds one window's sample in and returns the new limit. */
  update(sample: LimiterSample): number {
    checkSample(sample);
    const { rttMs, inFlight, dropped } = sample;
    this.#rttMs = rttMs;
    const noLoad = this.#addToNoLoad(rttMs);

    // Far below the limit the samples say nothing about what more load would do: hold.
    if (!dropped && inFlight < this.#estimate / 2) return this.limit;

    const { smoothing, rttTolerance, minLimit, maxLimit, queueSize } = this.options;
    const gradient = dropped ? MIN_GRADIENT : clamp((rttTolerance * noLoad) / rttMs, MIN_GRADIENT, 1);
    const target = this.#estimate * gradient + queueSize(this.#estimate);
    const smoothed = this.#estimate * (1 - smoothing) + target * smoothing;
    this.#estimate = clamp(smoothed, minLimit, maxLimit);
    return this.limit;
  }

  /** Down at once to a lower sample; up by an exponential average over `longWindow` samples. */
  #addToNoLoad(rttMs: number): number {
    if (this.#samples === 0 || rttMs < this.#rttNoLoadMs) this.#rttNoLoadMs = rttMs;
    else {
      const factor = 2 / (this.options.longWindow + 1);
      this.#rttNoLoadMs = this.#rttNoLoadMs * (1 - factor) + rttMs * factor;
    }
    this.#samples++;
    return this.#rttNoLoadMs;
  }
}

function clamp(value: number, low: number, high: number): number {
  return Math.max(low, Math.min(high, value));
}

function checkOptions(o: GradientOptions): void {
  const problems: string[] = [];
  if (!Number.isInteger(o.minLimit) || o.minLimit < 1) problems.push(`minLimit ${o.minLimit} is not an integer ≥ 1`);
  if (!Number.isInteger(o.maxLimit) || o.maxLimit < o.minLimit) problems.push(`maxLimit ${o.maxLimit} is not an integer ≥ minLimit`);
  if (!(o.initialLimit >= o.minLimit && o.initialLimit <= o.maxLimit)) problems.push(`initialLimit ${o.initialLimit} is outside [minLimit, maxLimit]`);
  if (!(o.smoothing > 0 && o.smoothing <= 1)) problems.push(`smoothing ${o.smoothing} is not in (0, 1]`);
  if (!(o.rttTolerance >= 1)) problems.push(`rttTolerance ${o.rttTolerance} is below 1`);
  if (!Number.isInteger(o.longWindow) || o.longWindow < 1) problems.push(`longWindow ${o.longWindow} is not an integer ≥ 1`);
  if (problems.length > 0) throw new RangeError(`gradient limiter: ${problems.join('; ')}`);
}

function checkSample(s: LimiterSample): void {
  if (!(Number.isFinite(s.rttMs) && s.rttMs > 0)) throw new RangeError(`gradient limiter: rttMs ${s.rttMs} is not a positive number`);
  if (!(Number.isInteger(s.inFlight) && s.inFlight >= 0)) throw new RangeError(`gradient limiter: inFlight ${s.inFlight} is not a count`);
}
