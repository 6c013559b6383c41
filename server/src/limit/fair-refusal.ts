import { performance } from 'node:perf_hooks';

/**
 * Which searches to refuse while the loop is behind. The unfair way (chapters
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
 * pay for the overload they cause.
 *
 * What a connection asks (chapter 20): every search it sent while the loop is behind, served or
 * not. Chapters 14–19 counted only its searches read past the limit, and which ones those are
 * depends on where in the turn a connection's requests are read: the kernel hands the ready
 * sockets over in much the same order every turn, so many greedy connections are read early,
 * are seldom past the limit, look light, and spent the turn's allowance before the polite search
 * was read (chapter 19 at twice its capacity: 14 and 21 of 40 polite searches answered, 19 of
 * each refused). Counted by all it sends, a greedy connection asks its share of the greedy
 * client's rate, whatever its place in the turn; the polite one asks 4 a second.
 *
 * Nothing is counted, read or allocated while the loop is not behind.
 */
export interface RefusalPolicy {
  /**
   * For a search read while the loop is behind: true to serve it. `past` says it is past the limit
   * (its turn's count or time budget); `position` is its place in the turn's batch.
   */
  admit(connection: object, position: number, limit: number, past: boolean): boolean;
}

/** The policy the configuration asks for (--refusal). */
export function createRefusalPolicy(refusal: 'fair' | 'fair-past-limit' | 'unfair'): RefusalPolicy {
  if (refusal === 'unfair') return UNFAIR_REFUSAL;
  return new FairRefusal({ counted: refusal === 'fair' ? 'every-search' : 'past-limit' });
}

/** The unfair policy: everything past the limit is refused (chapters 8–13, and chapter 14's experiment). */
export const UNFAIR_REFUSAL: RefusalPolicy = { admit: (_connection, _position, _limit, past) => !past };

export interface FairRefusalOptions {
  /** What a connection asks: every search while behind (chapter 20, the default) or those past the limit only (chapters 14–19). */
  counted?: 'every-search' | 'past-limit';
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
  private readonly everySearch: boolean;
  private readonly windowMs: number;
  private readonly lightShare: number;
  private readonly allowanceShare: number;
  private readonly now: () => number;
  private window = -1;
  // Searches counted and the connections they came from: this window, the previous one.
  private arrivals = 0;
  private connections = 0;
  private previousMean = 0;
  private lastPosition = Infinity;
  private spent = 0;
  /** Searches served past the limit since start (the metrics' fair-admission counter). */
  admitted = 0;

  constructor(options: FairRefusalOptions = {}) {
    this.everySearch = (options.counted ?? 'every-search') === 'every-search';
    this.windowMs = options.windowMs ?? 1000;
    this.lightShare = options.lightShare ?? 0.5;
    this.allowanceShare = options.allowanceShare ?? 0.25;
    this.now = options.now ?? (() => performance.now());
  }

  admit(connection: object, position: number, limit: number, past: boolean): boolean {
    if (!past && !this.everySearch) return true;
    // A new turn's first search counted comes at a position no higher than the last one
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
    if (!past) return true;
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
