/**
 * The Wilson score interval of a proportion (pure): x successes of n trials. Unlike the
 * normal approximation it stays inside [0, 1] and is honest at the edges: 8 of 8 gives
 * 0.676–1 at 95%, 40 of 40 gives 0.912–1, and 35 trials are the fewest for which a perfect
 * score shows "≥ 90%" (trialsToShow).
 * The fairness scenario states the polite client's share with it (db/views/fairness.ts
 * computes the same for the rounds pooled).
 */

/** z of a two-sided 95% interval. */
export const Z_95 = 1.959964;

export interface ProportionInterval { share: number; low: number; high: number; n: number }

export function wilsonInterval(successes: number, trials: number, z = Z_95): ProportionInterval | null {
  if (!Number.isInteger(successes) || !Number.isInteger(trials) || successes < 0 || successes > trials) {
    throw new Error(`a proportion needs whole successes within the trials (got ${successes} of ${trials})`);
  }
  if (trials === 0) return null;
  const z2 = z * z;
  const centre = (successes + z2 / 2) / (trials + z2);
  const half = (z / (trials + z2)) * Math.sqrt((successes * (trials - successes)) / trials + z2 / 4);
  // At the edges the bound is exactly 0 or 1 (the formula gives it to within a rounding error).
  const low = successes === 0 ? 0 : Math.max(0, centre - half);
  const high = successes === trials ? 1 : Math.min(1, centre + half);
  return { share: successes / trials, low, high, n: trials };
}

/** The fewest trials for which all successes put the interval's low end at or above `share`. */
export function trialsToShow(share: number, z = Z_95): number {
  if (!(share > 0 && share < 1)) throw new Error(`a share strictly between 0 and 1, got ${share}`);
  let n = 1;
  while ((wilsonInterval(n, n, z) as ProportionInterval).low < share) n++;
  return n;
}
