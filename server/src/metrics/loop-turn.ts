import { performance } from 'node:perf_hooks';
import type { StatusTally } from './request-tally.ts';

/**
 * The requests read in one turn of the event loop. The handlers answer synchronously from
 * ready buffers, so no request stays open inside the process across turns: a conventional
 * in-flight counter (up at the request, down at its answer) never rises above one. The
 * requests that really wait together are those the loop found readable at once, in the
 * kernel's socket buffers: it reads and answers them one after the other in the same turn,
 * each waiting for those before it. Their number is the concurrency the process sees.
 *
 * What it costs (chapter 11): per request, a comparison and two array stores; the clock is
 * read twice per turn, when its first request arrives and in a check-phase callback once the
 * loop has read them all, and never per request. A turn's answers are folded into their
 * tallies then, each observed at its share of the turn (the i-th of n at i/n of it): answers
 * from ready buffers cost about the same.
 *
 * (Telling a new turn by the loop's idle time instead, which libuv advances when the loop
 * sleeps, saved the check-phase callback but merged turns whenever the loop did not sleep in
 * between, e.g. while the thread pool was compressing: not kept.)
 */
/** How often (in requests of a turn) pastBudget reads the clock. */
export const BUDGET_CHECK_EVERY = 4;

export class LoopTurn {
  /** Requests read in the current turn. */
  private size = 0;
  private startedAt = 0;
  /** Per position of the current turn: the tally its answer goes to, whether it was a search served. Grown, never allocated per request. */
  private readonly answers: (StatusTally | null)[] = [];
  private servedSearch = new Uint8Array(64);
  private peak = 0;
  private previousPeak = 0;
  /** Once this many ms of a turn have passed, the rest of its requests are past its budget (chapter 17); Infinity: none. */
  budgetMs = Infinity;
  private overBudget = false;
  // Runs in the check phase, right after the poll phase that read the batch: one per turn, not per request.
  private readonly end = (): void => {
    this.fold(this.clock() - this.startedAt);
  };

  /**
   * @param onTurn called once per turn with what it served: the searches admitted and
   *   answered, the sum of their ms from the turn's start, the turn's batch, its length (ms)
   *   and when it ended (ms, this clock)
   * @param clock milliseconds, monotonic
   */
  constructor(
    private readonly onTurn: (searches: number, searchMs: number, batch: number, turnMs: number, endedAt: number) => void = () => {},
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Called as each request is read: its position in this turn's batch (1 = the first). */
  arrive(): number {
    if (this.size === 0) {
      this.startedAt = this.clock();
      this.overBudget = false;
      setImmediate(this.end);
    }
    const position = ++this.size;
    if (position > this.peak) this.peak = position;
    return position;
  }

  /**
   * True once the turn has run longer than its budget, for the request at `position` and every
   * later one of the turn. The clock is read at every BUDGET_CHECK_EVERY-th request of a turn,
   * never per request: a turn overshoots its budget by at most that many answers.
   */
  pastBudget(position: number): boolean {
    if (this.overBudget) return true;
    if (position % BUDGET_CHECK_EVERY !== 0 || this.budgetMs === Infinity) return false;
    this.overBudget = this.clock() - this.startedAt > this.budgetMs;
    return this.overBudget;
  }

  /** The answer of the request at `position`: the tally it counts in, whether it was a search the limit admitted. */
  answered(position: number, tally: StatusTally, servedSearch: boolean): void {
    const i = position - 1;
    this.answers[i] = tally;
    if (i >= this.servedSearch.length) this.grow(i);
    this.servedSearch[i] = servedSearch ? 1 : 0;
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

  private fold(turnMs: number): void {
    const n = this.size;
    const ms = Math.max(0, turnMs);
    let searches = 0;
    let searchMs = 0;
    for (let i = 0; i < n; i++) {
      const answerMs = (ms * (i + 1)) / n;
      const tally = this.answers[i];
      if (tally == null) continue; // read, never answered as a request (a malformed one)
      tally.observe(answerMs / 1000);
      this.answers[i] = null;
      if (this.servedSearch[i] === 1) {
        searches++;
        searchMs += answerMs;
      }
      this.servedSearch[i] = 0;
    }
    this.size = 0;
    this.onTurn(searches, searchMs, n, ms, this.startedAt + ms);
  }

  private grow(index: number): void {
    const grown = new Uint8Array(Math.max(index + 1, this.servedSearch.length * 2));
    grown.set(this.servedSearch);
    this.servedSearch = grown;
  }
}
