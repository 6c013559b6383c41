/**
 * The `mix` scenario's request sequence: windows drawn from a seeded Zipf distribution over a
 * large universe of distinct search windows, so that a response cache meets a realistic skew
 * (a few windows very often, a long tail rarely) instead of a handful it holds entirely.
 * Pure and seeded: the same sequence on every machine, every time.
 */
import { seededRandom } from '../stats/descriptive.ts';

export interface ZipfMix {
  /** Distinct windows in the universe; rank 1 is the most popular. */
  windows: number;
  /** Length of the request sequence (the load generator cycles through it). */
  draws: number;
  /** Zipf exponent s: P(rank k) ∝ 1 / k^s. */
  exponent: number;
  seed: number;
}

export const DEFAULT_ZIPF_MIX: ZipfMix = { windows: 100_000, draws: 200_000, exponent: 1, seed: 20210601 };

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const FEED_START = Date.UTC(2021, 0, 1);
const FEED_HOURS = 3 * 365 * 24;

function isoSecond(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Lengths of the windows drawn, whole days, both ends included. */
export interface WindowDays { min: number; max: number }

/**
 * `count` distinct search paths inside the feed's three years: a start on the hour, a length
 * of `days` (7–90 by default: over two million possible windows, so `count` up to a few
 * hundred thousand is reached quickly). Index i is the window of rank i + 1.
 */
export function windowUniverse(count: number, seed: number, days: WindowDays = { min: 7, max: 90 }): string[] {
  const random = seededRandom(seed);
  const paths = new Set<string>();
  while (paths.size < count) {
    const lengthDays = days.min + Math.floor(random() * (days.max - days.min + 1));
    const startHour = Math.floor(random() * (FEED_HOURS - lengthDays * 24));
    const starts = FEED_START + startHour * HOUR_MS;
    paths.add(`/search?starts_at=${isoSecond(starts)}&ends_at=${isoSecond(starts + lengthDays * DAY_MS)}`);
  }
  return [...paths];
}

/** Draws ranks 0..n-1 with P(k) ∝ 1/(k+1)^s, by inverse CDF (binary search in the cumulative weights). */
export function zipfSampler(n: number, exponent: number, random: () => number): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) {
    total += 1 / (k + 1) ** exponent;
    cumulative[k] = total;
  }
  return () => {
    const target = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] <= target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** The request sequence of `mix`: `draws` paths, each a Zipf draw from the window universe. */
export function zipfPaths(mix: ZipfMix = DEFAULT_ZIPF_MIX): string[] {
  const universe = windowUniverse(mix.windows, mix.seed);
  // A second stream for the draws, so the universe does not depend on the draw count.
  const draw = zipfSampler(mix.windows, mix.exponent, seededRandom(mix.seed ^ 0x5bd1e995));
  return Array.from({ length: mix.draws }, () => universe[draw()]);
}
