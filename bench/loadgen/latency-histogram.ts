// The latencies of an open-loop run in an HdrHistogram (hdr-histogram-js, the library
// autocannon records with): every served latency counted, none sampled, so the tail a
// closed-loop tool would hide by waiting (coordinated omission) is in the buckets. Two
// resolutions: 2 significant digits for the percentiles, 1 for the rows a chart draws
// (log-linear buckets of ~6%: a few dozen rows per decade instead of hundreds).
import { build, type JsHistogram } from 'hdr-histogram-js';

/** One bucket: [lower_us, upper_us) and how many latencies fell in it. */
export interface HistogramBucket { lower_us: number; upper_us: number; count: number }

/** What a run's tail is: count, p50, p99, p99.9 and the maximum, µs (null without a latency). */
export interface TailFigures { count: number; p50Us: number | null; p99Us: number | null; p999Us: number | null; maxUs: number | null }

// 1 µs to one hour: any latency a bounded run can see (a larger one is clamped to the top and still counted).
const LOWEST_US = 1;
const HIGHEST_US = 3_600_000_000;

function histogram(digits: 1 | 2): JsHistogram {
  // Without WebAssembly, build() gives the JS implementation, whose iterator and equivalence ranges are public.
  return build({ lowestDiscernibleValue: LOWEST_US, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: digits, useWebAssembly: false }) as JsHistogram;
}

export class LatencyHistogram {
  private readonly fine = histogram(2);
  private readonly coarse = histogram(1);
  private largest = 0;

  /** Counts one latency, µs (rounded; below 1 µs counts as 1). */
  record(latencyUs: number): void {
    const value = Math.min(HIGHEST_US, Math.max(LOWEST_US, Math.round(latencyUs)));
    this.fine.recordValue(value);
    this.coarse.recordValue(value);
    this.largest = Math.max(this.largest, latencyUs);
  }

  get count(): number {
    return this.fine.totalCount;
  }

  /** Percentiles at 1% resolution; the maximum exact (as recorded). */
  tail(): TailFigures {
    if (this.count === 0) return { count: 0, p50Us: null, p99Us: null, p999Us: null, maxUs: null };
    return {
      count: this.count,
      p50Us: this.fine.getValueAtPercentile(50),
      p99Us: this.fine.getValueAtPercentile(99),
      p999Us: this.fine.getValueAtPercentile(99.9),
      maxUs: this.largest,
    };
  }

  /** The non-empty buckets, ascending; their counts sum to `count`. */
  buckets(): HistogramBucket[] {
    const rows: HistogramBucket[] = [];
    // Each recorded value's equivalence range once, ascending.
    const iterator = this.coarse.recordedValuesIterator;
    iterator.reset();
    while (iterator.hasNext()) {
      const step = iterator.next();
      const lower = this.coarse.lowestEquivalentValue(step.valueIteratedTo);
      rows.push({ lower_us: lower, upper_us: this.coarse.nextNonEquivalentValue(step.valueIteratedTo), count: step.countAtValueIteratedTo });
    }
    return rows;
  }
}
