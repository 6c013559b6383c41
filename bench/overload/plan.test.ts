import { describe, expect, it } from 'vitest';
import { DEFAULT_MULTIPLIERS, overloadPlan, planSeconds } from './plan.ts';

describe('overloadPlan', () => {
  it('steps from 0.5× to 3× capacity by default, 10 s each with 3 settling', () => {
    const plan = overloadPlan({ capacity: 1000 });
    expect(plan.map((step) => step.multiplier)).toEqual(DEFAULT_MULTIPLIERS);
    expect(plan.map((step) => step.rate)).toEqual([500, 1000, 1500, 2000, 2500, 3000]);
    expect(plan.every((step) => step.seconds === 10 && step.settleSeconds === 3)).toBe(true);
    expect(planSeconds(plan)).toBe(60);
  });
  it('rounds rates to whole requests per second, at least 1', () => {
    expect(overloadPlan({ capacity: 3, multipliers: [0.1, 0.5, 1.5] }).map((step) => step.rate)).toEqual([1, 2, 5]);
  });
  it('settles for at most half a short step unless told', () => {
    expect(overloadPlan({ capacity: 10, stepSeconds: 5 })[0]?.settleSeconds).toBe(2);
    expect(overloadPlan({ capacity: 10, stepSeconds: 1 })[0]?.settleSeconds).toBe(0);
    expect(overloadPlan({ capacity: 10, stepSeconds: 4, settleSeconds: 1 })[0]?.settleSeconds).toBe(1);
  });
  it('refuses nonsense with a readable message', () => {
    expect(() => overloadPlan({ capacity: 0 })).toThrow(/capacity must be a positive number/);
    expect(() => overloadPlan({ capacity: Number.NaN })).toThrow(/capacity/);
    expect(() => overloadPlan({ capacity: 10, multipliers: [] })).toThrow(/at least one step/);
    expect(() => overloadPlan({ capacity: 10, multipliers: [1, -2] })).toThrow(/multiplier must be a positive number \(got -2\)/);
    expect(() => overloadPlan({ capacity: 10, stepSeconds: 2.5 })).toThrow(/step seconds must be a positive whole number/);
    expect(() => overloadPlan({ capacity: 10, stepSeconds: 3, settleSeconds: 3 })).toThrow(/settle seconds/);
  });
});
