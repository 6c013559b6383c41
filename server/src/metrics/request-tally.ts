/**
 * Request counts and durations by route and status, kept in plain numbers on the hot path and
 * read by the Prometheus exporter only when scraped. The route tallies are resolved once, when
 * the routes are set up; a status tally is found by a scan of the few statuses a route has seen.
 */

/** Upper bounds (seconds, inclusive) of the duration histogram's buckets; +Inf is the count. */
export const DURATION_BUCKETS_SECONDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

/** The route label of requests no route matched (404, malformed URL). */
export const UNMATCHED_ROUTE = 'unmatched';

export class StatusTally {
  count = 0;
  sumSeconds = 0;
  /** Observations per bucket (not cumulative); those above the last bound are only in `count`. */
  readonly buckets = new Float64Array(DURATION_BUCKETS_SECONDS.length);

  constructor(readonly status: number) {}

  observe(seconds: number): void {
    let i = 0;
    while (i < DURATION_BUCKETS_SECONDS.length && seconds > DURATION_BUCKETS_SECONDS[i]) i++;
    if (i < this.buckets.length) this.buckets[i]++;
    this.count++;
    this.sumSeconds += seconds;
  }
}

export class RouteTally {
  readonly statuses: StatusTally[] = [];

  constructor(readonly route: string) {}

  status(code: number): StatusTally {
    const statuses = this.statuses;
    for (let i = 0; i < statuses.length; i++) if (statuses[i].status === code) return statuses[i];
    const tally = new StatusTally(code);
    this.statuses.push(tally);
    return tally;
  }
}

export class RequestTally {
  private readonly routes = new Map<string, RouteTally>();

  /** The tally of a route label; call it when setting up, not per request. */
  route(name: string): RouteTally {
    let tally = this.routes.get(name);
    if (!tally) this.routes.set(name, (tally = new RouteTally(name)));
    return tally;
  }

  /** Every (route, status) seen so far. */
  *series(): Iterable<{ route: string; tally: StatusTally }> {
    for (const route of this.routes.values()) for (const tally of route.statuses) yield { route: route.route, tally };
  }
}

/** Why a request was answered 503 overloaded (the label of http_requests_shed_total). */
export type ShedReason = 'max_in_flight';

/** Requests shed by a limit, and connections closed at accept by server.maxConnections. */
export class ShedTally {
  readonly byReason: Record<ShedReason, number> = { max_in_flight: 0 };
  droppedConnections = 0;
}
