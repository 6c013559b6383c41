/**
 * Whether the event loop is behind (chapter 18): the in-flight limit and the turn budget refuse
 * searches only then. Chapters 8–17 applied the limit to every loop turn, and a single slow
 * turn — a garbage collection, a few wide searches — let more requests pile up in the sockets
 * than the limit admits; the next turn refused them although the server was far below its
 * closed-loop throughput (edition 38: chapter 17's capacity search on the mix missed on errors
 * while the p99 of what it served met the objective). A burst after one slow turn is
 * a "good queue" in CoDel's terms: it drains by itself. A standing queue is the bad one: the
 * loop reads more than the limit in every turn for a whole interval, or has read less than it
 * for a whole interval, before the state changes — evidence on both sides, so overload does
 * not flap in and out with one small turn. A turn that starts a whole interval after the last
 * one ended is not behind, whatever it reads: the loop had nothing to read for that long. (A
 * shorter gap is no evidence: a process that the machine deschedules between two turns looks
 * idle though its sockets are full; a 1 ms gap rule never saw the overload on a busy machine.)
 *
 * Cost: one call per loop turn (a comparison, a subtraction), none per request; the gate reads
 * one field.
 */
export class StandingQueue {
  /** True while the limit applies: the loop has read more than the limit per turn for a whole interval. */
  behind: boolean;
  // Plain fields and a -1 sentinel, not #private and NaN: this runs once per turn, and the instruction count is the chapter's budget.
  /** When the current run of turns that disagree with `behind` started (ms, the turns' clock); -1: none. */
  private since = -1;
  private lastEnd = Number.NEGATIVE_INFINITY;

  /** @param intervalMs how long the evidence must last before the state changes; 0: always behind (the limit on every turn, chapters 8–17) */
  constructor(private readonly intervalMs: number) {
    this.behind = intervalMs === 0;
  }

  /** A loop turn folded: the requests it read, the limit then, its length and when it ended (ms). */
  turn(batch: number, limit: number, turnMs: number, endedAt: number): void {
    const startedAt = endedAt - turnMs;
    const over = batch > limit && startedAt - this.lastEnd < this.intervalMs;
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
