import { countsBetween, histogramQuantile, type BucketCounts } from './histogram-quantile.ts';
import { ScaleOutWindow, type ScaleOutRule, type ScaleOutState, type SecondObservation } from './scale-out.ts';

/** What the service's counters read at the end of a second (totals since the start). Pure data. */
export interface CounterSnapshot {
  /** Served (2xx) requests' durations, cumulative bucket counts over every route. */
  served: BucketCounts;
  /** Every request answered, shed ones included. */
  answered: number;
  /** Requests answered 503 `overloaded` by a limit. */
  shed: number;
  /** Requests in flight now (the largest batch of the last loop turns). */
  inFlight: number;
  /** The limit in force, null without one. */
  limit: number | null;
  /** Event-loop utilisation over the second that ended (0..1). */
  eventLoopUtilization: number | null;
}

export interface SignalReading extends ScaleOutState {
  /** p99 of the requests served over the rule's window, seconds (null: none served). */
  p99Seconds: number | null;
}

/**
 * Turns one counter snapshot a second into the scale-out rule's observations, and keeps the
 * window's p99 of served requests (from the duration histogram's bucket counts). Pure.
 */
export class SignalWindow {
  readonly #bounds: readonly number[];
  readonly #rule: ScaleOutWindow;
  /** The last windowSeconds + 1 snapshots: the window is between the oldest and the newest. */
  #snapshots: CounterSnapshot[] = [];

  constructor(bounds: readonly number[], rule: ScaleOutRule) {
    this.#bounds = bounds;
    this.#rule = new ScaleOutWindow(rule);
  }

  /** Adds the second that just ended; the first snapshot only sets the baseline. */
  push(snapshot: CounterSnapshot): SignalReading {
    const previous = this.#snapshots.at(-1);
    this.#snapshots.push(snapshot);
    if (this.#snapshots.length > this.#rule.rule.windowSeconds + 1) this.#snapshots.shift();
    const state = previous === undefined ? this.#rule.state() : this.#rule.push(secondBetween(previous, snapshot, this.#bounds));
    return { ...state, p99Seconds: this.#p99(this.#snapshots[0], snapshot) };
  }

  #p99(oldest: CounterSnapshot, newest: CounterSnapshot): number | null {
    return histogramQuantile(this.#bounds, countsBetween(oldest.served, newest.served), 0.99);
  }
}

/** The rule's observation of the second between two snapshots. */
export function secondBetween(before: CounterSnapshot, after: CounterSnapshot, bounds: readonly number[]): SecondObservation {
  return {
    eventLoopUtilization: after.eventLoopUtilization,
    requests: after.answered - before.answered,
    shed: after.shed - before.shed,
    inFlightRatio: after.limit === null || after.limit <= 0 ? null : after.inFlight / after.limit,
    p99Seconds: histogramQuantile(bounds, countsBetween(before.served, after.served), 0.99),
  };
}
