/**
 * The gate's decision, pure: a paired confidence interval for the head/base ratio and
 * the three-way verdict against a threshold.
 *
 * Method: each pair (base run, head run, back to back on the same machine) gives one
 * ratio r_i = head_i / base_i. Ratios are multiplicative, so the interval is a Student
 * t-interval on ln r_i: exp(mean ± t(0.975, n−1) · sd / √n). Pairing cancels slow drift
 * of the machine (both runs of a pair see nearly the same conditions); alternating
 * which side runs first (see schedule.ts) cancels the order effect.
 */

export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** Exit codes of `npm run gate`. */
export const EXIT_CODE = { pass: 0, fail: 1, error: 2, inconclusive: 3 } as const;

export interface RatioInterval {
  /** Geometric mean of the paired ratios. */
  ratio: number;
  low: number;
  high: number;
  confidence: number;
  /** Number of pairs. */
  n: number;
}

export interface Decision {
  verdict: Verdict;
  /** 1 − threshold: the lowest acceptable throughput ratio. */
  limit: number;
  threshold: number;
  /** One sentence saying why, for people. */
  reason: string;
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

/**
 * fail: head is slower than the threshold with confidence (upper bound < 1 − threshold);
 * pass: the lower bound is at least 1 − threshold; otherwise inconclusive — the data
 * can't tell, which is neither a pass nor a failure.
 */
export function decide(throughput: RatioInterval, threshold: number): Decision {
  if (!(Number.isFinite(threshold) && threshold > 0 && threshold < 1)) {
    throw new Error(`threshold must be a fraction between 0 and 1 (e.g. 0.10), got ${threshold}`);
  }
  const limit = 1 - threshold;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const ci = `${Math.round(throughput.confidence * 100)}% CI of head/base throughput ${throughput.low.toFixed(3)}–${throughput.high.toFixed(3)}`;
  if (throughput.high < limit) {
    return { verdict: 'fail', limit, threshold, reason: `head is slower than base by more than ${pct(threshold)}: the whole ${ci} is below ${limit.toFixed(3)}` };
  }
  if (throughput.low >= limit) {
    return { verdict: 'pass', limit, threshold, reason: `head is not slower than base by more than ${pct(threshold)}: the whole ${ci} is at or above ${limit.toFixed(3)}` };
  }
  return {
    verdict: 'inconclusive',
    limit,
    threshold,
    reason: `the ${ci} straddles the limit ${limit.toFixed(3)}: more pairs or longer runs are needed to decide`,
  };
}

/** The throughput and p99 intervals of measured pairs, and the decision on throughput. */
export function evaluatePairs(
  pairs: Array<{ base: { requestsPerSecond: number; p99LatencyUs: number | null }; head: { requestsPerSecond: number; p99LatencyUs: number | null } }>,
  threshold: number,
): { throughput: RatioInterval; p99: RatioInterval | null; decision: Decision } {
  const throughput = pairedRatioInterval(
    pairs.map((p) => p.head.requestsPerSecond),
    pairs.map((p) => p.base.requestsPerSecond),
  );
  const p99Known = pairs.every((p) => p.head.p99LatencyUs !== null && p.base.p99LatencyUs !== null && p.head.p99LatencyUs > 0 && p.base.p99LatencyUs > 0);
  const p99 = p99Known
    ? pairedRatioInterval(
        pairs.map((p) => p.head.p99LatencyUs as number),
        pairs.map((p) => p.base.p99LatencyUs as number),
      )
    : null;
  return { throughput, p99, decision: decide(throughput, threshold) };
}
