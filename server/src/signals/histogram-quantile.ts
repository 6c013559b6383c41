/**
 * A quantile from bucket counts, as Prometheus's `histogram_quantile` computes it: find the
 * bucket the rank falls in and interpolate linearly inside it (from 0 for the first bucket).
 * Observations above the last bound are counted but have no bucket: a rank among them reads
 * as the last bound, the most the histogram can say. Pure.
 */
export interface BucketCounts {
  /** Observations per bucket (not cumulative), one per upper bound. */
  buckets: ArrayLike<number>;
  /** All observations, those above the last bound included. */
  count: number;
}

/** The q-quantile (0 < q ≤ 1) of the observations, in the bounds' unit; null without any. */
export function histogramQuantile(bounds: readonly number[], counts: BucketCounts, q: number): number | null {
  if (!(q > 0 && q <= 1)) throw new RangeError(`quantile ${q} is not in (0, 1]`);
  if (counts.buckets.length !== bounds.length) throw new RangeError(`${counts.buckets.length} buckets for ${bounds.length} bounds`);
  if (counts.count <= 0) return null;
  const rank = q * counts.count;
  let below = 0;
  for (let i = 0; i < bounds.length; i++) {
    const inBucket = counts.buckets[i];
    if (below + inBucket >= rank && inBucket > 0) {
      const lower = i === 0 ? 0 : bounds[i - 1];
      return lower + ((bounds[i] - lower) * (rank - below)) / inBucket;
    }
    below += inBucket;
  }
  return bounds[bounds.length - 1];
}

/** The observations made between two snapshots of the same histogram. */
export function countsBetween(before: BucketCounts, after: BucketCounts): BucketCounts {
  return { buckets: Array.from(after.buckets, (n, i) => n - before.buckets[i]), count: after.count - before.count };
}

/** Bucket counts summed over several histograms (e.g. every route's 2xx). */
export function sumCounts(length: number, parts: Iterable<BucketCounts>): BucketCounts {
  const buckets = new Array<number>(length).fill(0);
  let count = 0;
  for (const part of parts) {
    for (let i = 0; i < length; i++) buckets[i] += part.buckets[i];
    count += part.count;
  }
  return { buckets, count };
}
