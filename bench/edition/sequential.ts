/**
 * Sequential stopping and the order of an edition's round (pure).
 *
 * A subject stops once the 95% interval of its figure — the paired ratio to the reference
 * for hot, mix and close; the throughput where there is no reference — lies within
 * ±halfWidth of its median, after at least minRounds clean slices (the order-statistic
 * interval exists from 6). Looking after every round and stopping at the first tight
 * interval makes that interval a little optimistic; the minimum of rounds and the
 * editions' spread (three editions, bench/README.md) are the check on it.
 */
import type { SummaryFigures } from '../store.ts';

export interface StoppingRule {
  halfWidth: number;
  minRounds: number;
}

/** Whether a summary's interval is tight enough to stop measuring it. */
export function preciseEnough(figures: SummaryFigures, byRatio: boolean, rule: StoppingRule): boolean {
  if (figures.runs < rule.minRounds) return false;
  const [median, low, high] = byRatio ? [figures.ratio_median, figures.ratio_ci_low, figures.ratio_ci_high] : [figures.rps_median, figures.rps_ci_low, figures.rps_ci_high];
  if (median === null || low === null || high === null || !(median > 0)) return false;
  return (median - low) / median <= rule.halfWidth && (high - median) / median <= rule.halfWidth;
}

/**
 * One round: the subjects rotated by the round, a reference slice before every group of
 * `every` of them — every subject slice has a reference slice at most `every` slices away
 * on each side (the next round opens with one), so the paired ratio interpolates over a
 * short stretch, while the reference costs a fraction 1/every of the slices, not one in two.
 */
export function roundWithReference<T>(subjects: T[], yardsticks: T[], round: number, every: number): T[] {
  if (subjects.length === 0) return [];
  const shift = round % subjects.length;
  const rotated = [...subjects.slice(shift), ...subjects.slice(0, shift)];
  const out: T[] = [];
  rotated.forEach((subject, i) => {
    // Every yardstick (node:http, nginx) together before each group: each slice has both close by.
    if (i % every === 0) out.push(...yardsticks);
    out.push(subject);
  });
  return out;
}
