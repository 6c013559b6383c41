/**
 * Whether the event loop is behind: the in-flight limit and the turn budget refuse searches only
 * then. Chapters 8–17 applied the limit to every loop turn, and a single slow turn — a garbage
 * collection, a few wide searches — let more requests pile up in the sockets than the limit
 * admits; the next turn refused them although the server was far below its closed-loop
 * throughput. A burst after one slow turn is a "good queue" in CoDel's terms: it drains by
 * itself. A standing queue is the bad one, and the state changes only on evidence that lasts a
 * whole interval, on both sides, so overload does not flap in and out with one short turn.
 *
 * What counts as a turn over (the signal):
 * - **sojourn** (chapter 19, `targetMs` > 0): the turn ran longer than the target. CoDel keeps a
 *   packet queue by its packets' sojourn time: once the *minimum* sojourn over an interval is
 *   above the target, the queue never drained within the interval. This server reads its queue
 *   one loop turn at a time and serves everything it read within that turn, so the wait a turn
 *   imposes is its length — its last request waits that long in the process, and whatever arrives
 *   while it runs waits that long in the kernel for the next turn. Every turn of an interval
 *   longer than the target is the batch server's form of CoDel's minimum above the target: the
 *   loop never caught up within the interval. It is measured in time, whatever a search costs.
 * - **batch** (chapter 18, `targetMs` = 0): the turn read more searches than the limit, a count
 *   that is the same for a cached answer and for a year-long window, and that an adaptive limit
 *   grown high may never see exceeded.
 *
 * Either way, a turn that starts a whole interval after the last one ended is not over, however
 * long it is: the loop had nothing to read for that long. (A shorter gap is no evidence: a
 * process that the machine deschedules between two turns looks idle though its sockets are
 * full; a 1 ms gap rule never saw the overload on a busy machine, chapter 18.)
 *
 * Cost: one call per loop turn (two comparisons, a subtraction), none per request; the gate
 * reads one field.
 */
export class StandingQueue {
  /** True while the limit applies: every turn has been over for a whole interval. */
  behind: boolean;
  // Plain fields and a -1 sentinel, not #private and NaN: this runs once per turn, and the instruction count is the chapter's budget.
  /** When the current run of turns that disagree with `behind` started (ms, the turns' clock); -1: none. */
  private since = -1;
  private lastEnd = Number.NEGATIVE_INFINITY;

  /**
   * @param intervalMs how long the evidence must last before the state changes; 0: always behind (the limit on every turn, chapters 8–17)
   * @param targetMs a turn longer than this is over (the sojourn signal, chapter 19); 0: a turn is over when it read more than the limit (chapter 18)
   */
  constructor(
    private readonly intervalMs: number,
    readonly targetMs = 0,
  ) {
    this.behind = intervalMs === 0;
  }

  /** A loop turn folded: the requests it read, the limit then, its length and when it ended (ms). */
  turn(batch: number, limit: number, turnMs: number, endedAt: number): void {
    const startedAt = endedAt - turnMs;
    const waited = this.targetMs > 0 ? turnMs > this.targetMs : batch > limit;
    const over = waited && startedAt - this.lastEnd < this.intervalMs;
    this.lastEnd = endedAt;
    if (over === this.behind || this.intervalMs === 0) {
      this.since = -1;
      return;
    }
    if (this.since < 0) this.since = startedAt;
    if (endedAt - this.since >= this.intervalMs) {
      this.behind = over;
      this.since = -1;
    }
  }
}
