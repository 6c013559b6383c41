import { performance } from 'node:perf_hooks';

/**
 * Which searches to refuse once a loop turn's batch is past the limit. The unfair way (chapters
 * 8–13) refuses every search read past it, whoever sent it; under a greedy client on hundreds
 * of connections, a search from anyone else lands at a random place in a batch of hundreds
 * and is refused with the greedy ones (issue 21: 0 of 54 answered while wrk -c512 overloaded
 * the server). Fair refusal looks at who is asking: each connection counts its searches that
 * arrived past the limit in the current and the previous window of a second; a search from a
 * connection asking less than half of what the average such connection asks (a new connection
 * asks nothing yet) is served anyway, within a per-turn allowance (a quarter of the limit, at most 16,
 * none below a limit of 10) so that a flood of new connections cannot undo the limit. Why half
 * (chapter 17; chapter 14 had a quarter): at twice the capacity spread over 512 greedy
 * connections, each of them asks only twice its share of the server, and a polite client is not
 * far below its share; a quarter judged the polite one greedy. Why a quarter of the limit (chapter 14: a tenth): the greedy connections that
 * happen to look light for a moment spent the tenth before the polite search was read. Greedy connections keep being refused: they
 * pay for the overload they cause. Nothing is counted, read or allocated while under the limit.
 */
export interface RefusalPolicy {
  /** For a search read past the limit: true to serve it anyway. `position` is its place in the turn's batch. */
  admitPastLimit(connection: object, position: number, limit: number): boolean;
}

/** The policy the configuration asks for (--refusal). */
export function createRefusalPolicy(refusal: 'fair' | 'unfair'): RefusalPolicy {
  return refusal === 'fair' ? new FairRefusal() : UNFAIR_REFUSAL;
}

/** The unfair policy: everything past the limit is refused (chapters 8–13, and chapter 14's experiment). */
export const UNFAIR_REFUSAL: RefusalPolicy = { admitPastLimit: () => false };

export interface FairRefusalOptions {
  /** Window of the per-connection counts (ms). */
  windowMs?: number;
  /** A connection is light when its count is below this share of the average (default ½). */
  lightShare?: number;
  /** Searches served past the limit per turn at most: this share of the limit, rounded down (default ¼); none below a limit of 10. */
  allowanceShare?: number;
  /** The clock (ms), for tests. */
  now?: () => number;
}

interface Usage { window: number; current: number; previous: number }

const MIN_LIMIT_WITH_ALLOWANCE = 10;
/** Polite and new connections are a handful per turn; beyond this, an allowance only serves greedy ones that look light by chance. */
const MAX_ALLOWANCE = 16;

const USAGE = Symbol('fair-refusal usage');
type Counted = { [USAGE]?: Usage };

export class FairRefusal implements RefusalPolicy {
  private readonly windowMs: number;
  private readonly lightShare: number;
  private readonly allowanceShare: number;
  private readonly now: () => number;
  private window = -1;
  // Searches past the limit and the connections they came from: this window, the previous one.
  private arrivals = 0;
  private connections = 0;
  private previousMean = 0;
  private lastPosition = Infinity;
  private spent = 0;
  /** Searches served past the limit since start (the metrics' fair-admission counter). */
  admitted = 0;

  constructor(options: FairRefusalOptions = {}) {
    this.windowMs = options.windowMs ?? 1000;
    this.lightShare = options.lightShare ?? 0.5;
    this.allowanceShare = options.allowanceShare ?? 0.25;
    this.now = options.now ?? (() => performance.now());
  }

  admitPastLimit(connection: object, position: number, limit: number): boolean {
    // A new turn's first search past the limit comes at a position no higher than the last one
    // seen: the allowance starts again, and the clock is read (once per turn, never per search).
    if (position <= this.lastPosition) {
      this.spent = 0;
      const window = Math.floor(this.now() / this.windowMs);
      if (window !== this.window) this.roll(window);
    }
    this.lastPosition = position;
    const usage = this.usageOf(connection as Counted, this.window);
    const asked = usage.previous + usage.current;
    usage.current++;
    this.arrivals++;
    const average = this.previousMean + this.arrivals / this.connections;
    const light = asked < this.lightShare * average;
    if (!light || this.spent >= this.allowance(limit)) return false;
    this.spent++;
    this.admitted++;
    return true;
  }

  /**
   * Searches that may be served past `limit` in one turn: none below a limit of 10 (chapter 8's
   * contract with a tiny limit is unchanged), never more than MAX_ALLOWANCE (they are served
   * past the turn's time budget too, so a limit grown high must not let them make turns long).
   */
  private allowance(limit: number): number {
    return limit < MIN_LIMIT_WITH_ALLOWANCE ? 0 : Math.min(MAX_ALLOWANCE, Math.floor(this.allowanceShare * limit));
  }

  private roll(window: number): void {
    // A gap of more than one window leaves nothing to carry over.
    this.previousMean = window === this.window + 1 && this.connections > 0 ? this.arrivals / this.connections : 0;
    this.window = window;
    this.arrivals = 0;
    this.connections = 0;
  }

  private usageOf(connection: Counted, window: number): Usage {
    let usage = connection[USAGE];
    if (usage === undefined) {
      usage = { window, current: 0, previous: 0 };
      connection[USAGE] = usage;
      this.connections++;
    } else if (usage.window !== window) {
      usage.previous = usage.window === window - 1 ? usage.current : 0;
      usage.current = 0;
      usage.window = window;
      this.connections++;
    }
    return usage;
  }
}
