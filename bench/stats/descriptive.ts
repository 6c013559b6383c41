/**
 * Statistics of repeated benchmark runs. Pure functions, no I/O.
 *
 * Confidence interval of a median (95% by default):
 * - n large enough (n ≥ 6 at 95%): the distribution-free order-statistic interval
 *   [x(k), x(n−k+1)], k the largest rank whose binomial coverage
 *   1 − 2·P(Binomial(n, ½) ≤ k−1) is still ≥ the confidence. No assumption about
 *   the shape of the distribution; the coverage is exact (≥ the nominal level).
 * - smaller n: a percentile bootstrap of the median (10 000 resamples, fixed seed,
 *   so the same inputs always give the same interval). With few runs this is an
 *   approximation and tends to be narrow; it is labelled as such.
 * - n < 2: no interval can be given; low and high are NaN (stored as NULL).
 * Coefficient of variation: sample standard deviation (n−1) / mean.
 * Ratios are paired by moment (paired-ratio.ts): the bench's subject against the
 * reference, and the gate's head against base.
 */
import { mulberry32 } from '../../simulator/prng.ts';

export type IntervalMethod = 'order-statistic' | 'bootstrap' | 'none';

export const BOOTSTRAP_RESAMPLES = 10_000;
export const BOOTSTRAP_SEED = 0x5eed;

function assertValues(values: number[], what: string): void {
  if (values.length === 0) throw new Error(`${what} of no values`);
  if (values.some((v) => !Number.isFinite(v))) throw new Error(`${what}: every value must be a finite number`);
}

function sorted(values: number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

function medianOfSorted(s: number[]): number {
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function median(values: number[]): number {
  assertValues(values, 'median');
  return medianOfSorted(sorted(values));
}

export function mean(values: number[]): number {
  assertValues(values, 'mean');
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** P(Binomial(n, ½) ≤ k) */
function binomialHalfCdf(n: number, k: number): number {
  let term = Math.pow(0.5, n); // C(n,0)/2^n
  let total = 0;
  for (let i = 0; i <= k; i++) {
    total += term;
    term = (term * (n - i)) / (i + 1);
  }
  return total;
}

/** 1-based rank k of the order-statistic interval [x(k), x(n−k+1)], or null when even [min, max] is not wide enough. */
export function orderStatisticRank(n: number, confidence = 0.95): number | null {
  let best: number | null = null;
  for (let k = 1; k <= Math.floor((n + 1) / 2); k++) {
    const coverage = 1 - 2 * binomialHalfCdf(n, k - 1);
    if (coverage >= confidence) best = k;
    else break;
  }
  return best;
}

/** Which method medianConfidenceInterval uses for n values. */
export function intervalMethod(n: number, confidence = 0.95): IntervalMethod {
  if (n < 2) return 'none';
  return orderStatisticRank(n, confidence) === null ? 'bootstrap' : 'order-statistic';
}

/**
 * Seedable PRNG for deterministic resampling and scenario plans: the simulator's mulberry32,
 * the project's one seeded generator (its stream is pinned by simulator.test.ts, so a stored
 * bootstrap interval comes out the same from the same runs).
 */
export const seededRandom: (seed: number) => () => number = mulberry32;

/** Quantile by linear interpolation between order statistics (type 7). */
function quantileOfSorted(s: number[], p: number): number {
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

export function medianConfidenceInterval(values: number[], confidence = 0.95): { low: number; high: number } {
  assertValues(values, 'confidence interval');
  if (!(confidence > 0 && confidence < 1)) throw new Error('confidence must be between 0 and 1');
  const s = sorted(values);
  const n = s.length;
  if (n < 2) return { low: NaN, high: NaN };
  const k = orderStatisticRank(n, confidence);
  if (k !== null) return { low: s[k - 1], high: s[n - k] };
  const random = seededRandom(BOOTSTRAP_SEED);
  const medians = new Array<number>(BOOTSTRAP_RESAMPLES);
  const sample = new Array<number>(n);
  for (let b = 0; b < BOOTSTRAP_RESAMPLES; b++) {
    for (let i = 0; i < n; i++) sample[i] = s[Math.floor(random() * n)];
    sample.sort((x, y) => x - y);
    medians[b] = medianOfSorted(sample);
  }
  medians.sort((x, y) => x - y);
  const alpha = 1 - confidence;
  return { low: quantileOfSorted(medians, alpha / 2), high: quantileOfSorted(medians, 1 - alpha / 2) };
}

/** Sample standard deviation / mean; NaN for fewer than two values (undefined). */
export function coefficientOfVariation(values: number[]): number {
  assertValues(values, 'coefficient of variation');
  if (values.length < 2) return NaN;
  const m = mean(values);
  if (m === 0) return NaN;
  const variance = values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (values.length - 1);
  return Math.sqrt(variance) / Math.abs(m);
}
