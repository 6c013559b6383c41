/**
 * The "scale out" signal: a stated rule over a sliding window of one-second observations,
 * meant to fire while the service still meets its latency objective, so an operator (or an
 * autoscaler) has time to add a machine before users feel it.
 *
 * A second is *hot* when its event-loop utilisation, its in-flight ÷ limit, or its p99 is at
 * or above the rule's threshold. The signal fires when every second of the window is hot
 * (sustained pressure, not a blip), or when the window shed at least the rule's share of its
 * requests (the limit is already saying no). Pure: the caller pushes one observation a second.
 */

export interface SecondObservation {
  /** Event-loop utilisation over the second, 0..1 (null: not measured). */
  eventLoopUtilization: number | null;
  /** Requests answered in the second, shed ones included. */
  requests: number;
  /** Of those, answered 503 `overloaded` by a limit. */
  shed: number;
  /** Requests in flight ÷ the limit in force at the end of the second (null: no limit). */
  inFlightRatio: number | null;
  /** p99 of the requests served in the second, seconds (null: none served). */
  p99Seconds: number | null;
}

export interface ScaleOutRule {
  /** Seconds of history the rule looks at (k). */
  windowSeconds: number;
  /** A second is hot at this event-loop utilisation or above. */
  eventLoopUtilization: number;
  /** … or at this in-flight ÷ limit or above. */
  inFlightRatio: number;
  /** … or when its p99 reaches this many seconds (a fraction of the latency objective). */
  p99Seconds: number;
  /** The signal also fires when this share of the window's requests was shed. */
  rejectionRatio: number;
}

export const DEFAULT_SCALE_OUT_RULE: ScaleOutRule = {
  windowSeconds: 3,
  eventLoopUtilization: 0.9,
  inFlightRatio: 0.8,
  p99Seconds: 0.05,
  rejectionRatio: 0.01,
};

export interface ScaleOutState {
  /** True when the rule fires. */
  scaleOut: boolean;
  /** Which parts of the rule hold, in words (empty when it does not fire). */
  reasons: string[];
  /** Shed ÷ answered over the window (null: nothing answered). */
  rejectionRatio: number | null;
  /** The latest second's in-flight ÷ limit (null: no limit, or no second yet). */
  inFlightRatio: number | null;
  /** Seconds in the window so far (the signal never fires on fewer than `windowSeconds`). */
  seconds: number;
}

/** The rule in words, as `scale_out_rule_info{rule}` exports it. */
export function describeRule(rule: ScaleOutRule): string {
  return (
    `scale out when each of the last ${rule.windowSeconds} s has event-loop utilisation >= ${rule.eventLoopUtilization}` +
    ` or in-flight >= ${rule.inFlightRatio} x limit or p99 >= ${rule.p99Seconds} s;` +
    ` or when >= ${rule.rejectionRatio} of the requests of the last ${rule.windowSeconds} s were shed`
  );
}

export function checkRule(rule: ScaleOutRule): void {
  const problems: string[] = [];
  if (!Number.isInteger(rule.windowSeconds) || rule.windowSeconds < 1) problems.push(`windowSeconds ${rule.windowSeconds} is not an integer >= 1`);
  if (!(rule.eventLoopUtilization > 0 && rule.eventLoopUtilization <= 1)) problems.push(`eventLoopUtilization ${rule.eventLoopUtilization} is not in (0, 1]`);
  if (!(rule.inFlightRatio > 0)) problems.push(`inFlightRatio ${rule.inFlightRatio} is not above 0`);
  if (!(rule.p99Seconds > 0)) problems.push(`p99Seconds ${rule.p99Seconds} is not above 0`);
  if (!(rule.rejectionRatio > 0 && rule.rejectionRatio <= 1)) problems.push(`rejectionRatio ${rule.rejectionRatio} is not in (0, 1]`);
  if (problems.length > 0) throw new RangeError(`scale-out rule: ${problems.join('; ')}`);
}

/** The sliding window: the last `windowSeconds` observations and the signal they give. */
export class ScaleOutWindow {
  readonly rule: ScaleOutRule;
  #seconds: SecondObservation[] = [];

  constructor(rule: ScaleOutRule = DEFAULT_SCALE_OUT_RULE) {
    checkRule(rule);
    this.rule = rule;
  }

  /** Adds the second that just ended and returns the signal over the window. */
  push(second: SecondObservation): ScaleOutState {
    this.#seconds.push(second);
    if (this.#seconds.length > this.rule.windowSeconds) this.#seconds.shift();
    return this.state();
  }

  state(): ScaleOutState {
    const seconds = this.#seconds;
    const requests = sum(seconds.map((s) => s.requests));
    const rejectionRatio = requests === 0 ? null : sum(seconds.map((s) => s.shed)) / requests;
    const inFlightRatio = seconds.at(-1)?.inFlightRatio ?? null;
    const full = seconds.length === this.rule.windowSeconds;
    const reasons = full ? this.#reasons(rejectionRatio) : [];
    return { scaleOut: reasons.length > 0, reasons, rejectionRatio, inFlightRatio, seconds: seconds.length };
  }

  #reasons(rejectionRatio: number | null): string[] {
    const { rule } = this;
    const reasons: string[] = [];
    const hot = this.#seconds.map((s) => hotConditions(s, rule));
    if (hot.every((conditions) => conditions.length > 0)) {
      const seen = [...new Set(hot.flat())];
      reasons.push(`every second of the last ${rule.windowSeconds} s was hot (${seen.join(', ')})`);
    }
    if (rejectionRatio !== null && rejectionRatio >= rule.rejectionRatio) reasons.push(`rejection ratio ${round(rejectionRatio)} >= ${rule.rejectionRatio}`);
    return reasons;
  }
}

/** Which of the per-second conditions a second meets, by name. */
export function hotConditions(second: SecondObservation, rule: ScaleOutRule): string[] {
  const conditions: string[] = [];
  if (second.eventLoopUtilization !== null && second.eventLoopUtilization >= rule.eventLoopUtilization) conditions.push('event-loop utilisation');
  if (second.inFlightRatio !== null && second.inFlightRatio >= rule.inFlightRatio) conditions.push('in-flight ratio');
  if (second.p99Seconds !== null && second.p99Seconds >= rule.p99Seconds) conditions.push('p99');
  return conditions;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
