// Pure bookkeeping of the open-loop generator: the send schedule and the per-second tally.
// Nothing here touches the network or a clock, so the counting rules are tested on their own.

/** One phase of a schedule: `rate` requests per second, offered for `seconds` whole seconds. */
export interface OpenLoopPhase { rate: number; seconds: number }

/** How one request ended. */
export type Outcome = 'completed' | 'rejected' | 'failed';

/** 2xx is served, 503/429 is the server saying no, anything else is a failure. */
export function outcomeOfStatus(status: number): Outcome {
  if (status >= 200 && status < 300) return 'completed';
  if (status === 503 || status === 429) return 'rejected';
  return 'failed';
}

/** One second of an open-loop run, on the run's own clock (second 0 starts at the first send). */
export interface OpenLoopSecond {
  second: number;
  phaseIndex: number | null;     // null: a drain second after the schedule (nothing offered; the run's last ends with its last answer, shorter than a second)
  offered: number;               // requests whose intended send time fell in this second
  completed: number;             // 2xx answers that arrived in this second
  rejected: number;              // 503/429 answers that arrived in this second
  failed: number;                // other statuses, socket errors and timeouts ending in this second
  p50LatencyUs: number | null;   // of the 2xx answers of this second, from their INTENDED send time
  p99LatencyUs: number | null;
  p999LatencyUs: number | null;  // p99.9 and the slowest: the tail beside p99
  maxLatencyUs: number | null;
  inFlight: number;              // intended by the end of this second and not ended by then (waiting for a connection included)
  maxSendLagUs: number;          // worst delay between a request's intended and actual send in this second
  generatorBehind: boolean;      // the generator sent later than its tolerance: this second is not the server's figure
  servedLatenciesUs: number[];   // every 2xx latency of this second (for exact step percentiles; not a column)
}

/** Validates a schedule: at least one phase, positive integer rates and whole seconds. */
export function checkSchedule(phases: readonly OpenLoopPhase[]): void {
  if (phases.length === 0) throw new Error('an open-loop schedule needs at least one phase');
  for (const [index, phase] of phases.entries()) {
    if (!Number.isInteger(phase.rate) || phase.rate < 1) {
      throw new Error(`phase ${index + 1}: rate must be a positive integer of requests per second (got ${phase.rate})`);
    }
    if (!Number.isInteger(phase.seconds) || phase.seconds < 1) {
      throw new Error(`phase ${index + 1}: seconds must be a positive whole number (got ${phase.seconds})`);
    }
  }
}

/** Intended send times (ms from the run's start) of every request, evenly spaced within each phase. */
export function intendedSendTimesMs(phases: readonly OpenLoopPhase[]): Float64Array {
  checkSchedule(phases);
  const total = phases.reduce((sum, phase) => sum + phase.rate * phase.seconds, 0);
  const times = new Float64Array(total);
  let index = 0;
  let phaseStartMs = 0;
  for (const phase of phases) {
    const count = phase.rate * phase.seconds;
    for (let k = 0; k < count; k += 1) times[index++] = phaseStartMs + (k * 1000) / phase.rate;
    phaseStartMs += phase.seconds * 1000;
  }
  return times;
}

/** Where `second` of the run falls: the phase's index and the second within it; null after the schedule. */
export function phaseAt(phases: readonly { seconds: number }[], second: number): { index: number; secondInPhase: number } | null {
  let start = 0;
  for (const [index, phase] of phases.entries()) {
    if (second < start + phase.seconds) return { index, secondInPhase: second - start };
    start += phase.seconds;
  }
  return null;
}

/** Nearest-rank percentile of ascending-sorted values; null for none. */
export function percentileOfSorted(sorted: readonly number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

interface Bucket { offered: number; completed: number; rejected: number; failed: number; served: number[]; maxSendLagUs: number }

function emptyBucket(): Bucket {
  return { offered: 0, completed: 0, rejected: 0, failed: 0, served: [], maxSendLagUs: 0 };
}

/**
 * Counts sends and answers into one-second buckets and closes them in order. Sends are counted
 * in the second of their intended time, answers in the second they arrived.
 */
export class SecondTally {
  private readonly buckets = new Map<number, Bucket>();
  private offeredTotal = 0;
  private finishedTotal = 0;
  private offeredInClosed = 0;   // intended up to the end of the last closed second
  private endedInClosed = 0;     // ended up to the end of the last closed second

  constructor(private readonly phases: readonly OpenLoopPhase[], private readonly lagToleranceUs: number) {}

  private bucket(second: number): Bucket {
    let bucket = this.buckets.get(second);
    if (!bucket) {
      bucket = emptyBucket();
      this.buckets.set(second, bucket);
    }
    return bucket;
  }

  /** A request intended at `intendedMs` went out at `sentMs` (both ms from the run's start). */
  sent(intendedMs: number, sentMs: number): void {
    const bucket = this.bucket(Math.floor(intendedMs / 1000));
    bucket.offered += 1;
    bucket.maxSendLagUs = Math.max(bucket.maxSendLagUs, Math.round((sentMs - intendedMs) * 1000));
    this.offeredTotal += 1;
  }

  /** A request intended at `intendedMs` ended at `endedMs` with `outcome`. */
  ended(intendedMs: number, endedMs: number, outcome: Outcome): void {
    const bucket = this.bucket(Math.floor(endedMs / 1000));
    bucket[outcome] += 1;
    if (outcome === 'completed') bucket.served.push(Math.round((endedMs - intendedMs) * 1000));
    this.finishedTotal += 1;
  }

  /** Offered and not yet ended, now. */
  get inFlight(): number {
    return this.offeredTotal - this.finishedTotal;
  }

  /**
   * Ended in a second not closed yet. A run may stop only when this and inFlight are both 0:
   * an answer that arrives after the last second's end but before the (late) close lands in
   * the next second, and stopping without closing it would lose it from every row.
   */
  get endedInOpenSeconds(): number {
    return this.finishedTotal - this.endedInClosed;
  }

  /**
   * Closes `second` and returns its record. Call in order, once the second's end has passed AND
   * every request intended in it has been sent (a late generator delays the close, never a count).
   */
  close(second: number): OpenLoopSecond {
    const bucket = this.buckets.get(second) ?? emptyBucket();
    this.buckets.delete(second);
    const served = bucket.served.sort((a, b) => a - b);
    // In flight at the END of this second (not at the close, which a late generator delays):
    // intended by then and not ended by then — including requests a late generator had yet to send.
    this.offeredInClosed += bucket.offered;
    this.endedInClosed += bucket.completed + bucket.rejected + bucket.failed;
    return {
      second,
      phaseIndex: phaseAt(this.phases, second)?.index ?? null,
      offered: bucket.offered,
      completed: bucket.completed,
      rejected: bucket.rejected,
      failed: bucket.failed,
      p50LatencyUs: percentileOfSorted(served, 0.5),
      p99LatencyUs: percentileOfSorted(served, 0.99),
      p999LatencyUs: percentileOfSorted(served, 0.999),
      maxLatencyUs: served.at(-1) ?? null,
      inFlight: this.offeredInClosed - this.endedInClosed,
      maxSendLagUs: bucket.maxSendLagUs,
      generatorBehind: bucket.maxSendLagUs > this.lagToleranceUs,
      servedLatenciesUs: served,
    };
  }
}
