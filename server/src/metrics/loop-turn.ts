import { performance } from 'node:perf_hooks';

/**
 * The requests read in one turn of the event loop. The handlers answer synchronously from
 * ready buffers, so no request stays open inside the process across turns: a conventional
 * in-flight counter (up at the request, down at its answer) never rises above one. The
 * requests that really wait together are those the loop found readable at once, in the
 * kernel's socket buffers: it reads and answers them one after the other in the same turn,
 * each waiting for those before it. Their number is the concurrency the process sees.
 */
export class LoopTurn {
  private size = 0;
  private startedAt = 0;
  private peak = 0;
  private previousPeak = 0;
  // Runs in the check phase, right after the poll phase that read the batch: one per turn, not per request.
  private readonly end = (): void => {
    this.size = 0;
  };

  /** Called as each request is read: its position in this turn's batch (1 = the first). */
  arrive(): number {
    if (this.size === 0) {
      this.startedAt = performance.now();
      setImmediate(this.end);
    }
    const position = ++this.size;
    if (position > this.peak) this.peak = position;
    return position;
  }

  /** Seconds since this turn began answering: the wait behind the requests read before, plus one's own handling. */
  elapsedSeconds(): number {
    return (performance.now() - this.startedAt) / 1000;
  }

  /** The largest batch of the current window and the previous one (0 once both were idle). */
  peakBatch(): number {
    return Math.max(this.peak, this.previousPeak);
  }

  /** Starts a new window (the metrics' one-second sampler calls it). */
  nextWindow(): void {
    this.previousPeak = this.peak;
    this.peak = this.size;
  }
}
