// The step plan of the overload scenario: fixed arrival rates from below to far above the
// measured capacity, each step long enough to settle (its first seconds are marked settling).
export const DEFAULT_MULTIPLIERS: readonly number[] = [0.5, 1, 1.5, 2, 2.5, 3];
export const DEFAULT_STEP_SECONDS = 10;
export const DEFAULT_SETTLE_SECONDS = 3;

export interface OverloadStep {
  multiplier: number;      // × capacity
  rate: number;            // offered requests per second (capacity × multiplier, rounded, ≥ 1)
  seconds: number;
  settleSeconds: number;   // the first seconds of the step, left out of its summary
}

export interface OverloadPlanOptions { capacity: number; multipliers?: readonly number[]; stepSeconds?: number; settleSeconds?: number }

function positiveWhole(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${what} must be a positive whole number (got ${value})`);
}

/** Steps at capacity × each multiplier, in the order given. */
export function overloadPlan(options: OverloadPlanOptions): OverloadStep[] {
  const { capacity } = options;
  const multipliers = options.multipliers ?? DEFAULT_MULTIPLIERS;
  const seconds = options.stepSeconds ?? DEFAULT_STEP_SECONDS;
  const settleSeconds = options.settleSeconds ?? Math.min(DEFAULT_SETTLE_SECONDS, Math.floor(seconds / 2));
  if (!(capacity > 0) || !Number.isFinite(capacity)) throw new Error(`capacity must be a positive number of requests per second (got ${capacity})`);
  if (multipliers.length === 0) throw new Error('the plan needs at least one step multiplier');
  for (const multiplier of multipliers) {
    if (!(multiplier > 0) || !Number.isFinite(multiplier)) throw new Error(`step multiplier must be a positive number (got ${multiplier})`);
  }
  positiveWhole(seconds, 'step seconds');
  if (!Number.isInteger(settleSeconds) || settleSeconds < 0 || settleSeconds >= seconds) {
    throw new Error(`settle seconds must be a whole number from 0 to step seconds − 1 (got ${settleSeconds} of ${seconds})`);
  }
  return multipliers.map((multiplier) => ({ multiplier, rate: Math.max(1, Math.round(capacity * multiplier)), seconds, settleSeconds }));
}

/** Total offered seconds of a plan (the drain after it is extra). */
export function planSeconds(plan: readonly OverloadStep[]): number {
  return plan.reduce((sum, step) => sum + step.seconds, 0);
}
