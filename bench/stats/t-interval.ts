/**
 * The paired log-ratio t-interval (pure): the gate's head/base ratio, and the one table of
 * Student t quantiles. Each pair (base run, head run, back to back) gives one ratio
 * r_i = head_i / base_i; ratios are multiplicative, so the interval is a Student
 * t-interval on ln r_i: exp(mean ± t(0.975, n−1) · sd / √n).
 *
 * The bench's ratio to the reference is paired by moment instead (paired-ratio.ts): its
 * slices are many and short and the reference is interpolated between them, so their
 * median and distribution-free interval (descriptive.ts) are used there.
 */

export interface RatioInterval {
  /** Geometric mean of the paired ratios. */
  ratio: number;
  low: number;
  high: number;
  confidence: number;
  /** Number of pairs. */
  n: number;
}

/** Two-sided 95% Student t quantiles t(0.975, df), df = 1…30. */
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];
/** Beyond 30: the usual table rows, interpolated linearly in 1/df. */
const T_975_TAIL: Array<[df: number, t: number]> = [
  [30, 2.042],
  [40, 2.021],
  [60, 2.0],
  [120, 1.98],
  [Number.POSITIVE_INFINITY, 1.96],
];

/** t(0.975, df): the multiplier of a two-sided 95% interval. */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new Error(`degrees of freedom must be a positive integer, got ${df}`);
  if (df <= 30) return T_975[df - 1];
  for (let i = 1; i < T_975_TAIL.length; i++) {
    const [dfHigh, tHigh] = T_975_TAIL[i];
    if (df <= dfHigh) {
      const [dfLow, tLow] = T_975_TAIL[i - 1];
      const x = 1 / df;
      const x0 = 1 / dfLow;
      const x1 = 1 / dfHigh; // 0 for infinity
      return tLow + ((tHigh - tLow) * (x - x0)) / (x1 - x0);
    }
  }
  return 1.96;
}

/**
 * Paired log-ratio t-interval of numerators[i] / denominators[i] (95%).
 * Throws on fewer than 2 pairs, unequal lengths, or a value that is not a positive
 * finite number (a failed measurement must never turn into a ratio).
 */
export function pairedRatioInterval(numerators: number[], denominators: number[]): RatioInterval {
  if (numerators.length !== denominators.length) {
    throw new Error(`paired ratio needs as many numerators as denominators (${numerators.length} vs ${denominators.length})`);
  }
  const n = numerators.length;
  if (n < 2) throw new Error(`a confidence interval needs at least 2 pairs, got ${n}`);
  const logs = numerators.map((num, i) => {
    const den = denominators[i];
    if (!(Number.isFinite(num) && num > 0 && Number.isFinite(den) && den > 0)) {
      throw new Error(`pair ${i + 1}: values must be positive numbers, got ${num} / ${den}`);
    }
    return Math.log(num / den);
  });
  const mean = logs.reduce((sum, x) => sum + x, 0) / n;
  const variance = logs.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (n - 1);
  const halfWidth = (tQuantile975(n - 1) * Math.sqrt(variance)) / Math.sqrt(n);
  return { ratio: Math.exp(mean), low: Math.exp(mean - halfWidth), high: Math.exp(mean + halfWidth), confidence: 0.95, n };
}

