import { describe, expect, it } from 'vitest';
import { generatedSecond } from './fixtures.ts';
import { overloadPlan } from './plan.ts';
import { overloadSecond } from './record.ts';
import { summarizeStep } from './summary.ts';

const plan = overloadPlan({ capacity: 100, multipliers: [1, 2], stepSeconds: 3, settleSeconds: 1 });

describe('overloadSecond', () => {
  it('places each second in its step, marks the settling ones, and names the columns of the stress series', () => {
    const rows = [0, 1, 3, 5, 6].map((second) => overloadSecond(plan, generatedSecond(second, {
      offered: 100, completed: 90, rejected: 7, failed: 3, p50LatencyUs: 1000, p99LatencyUs: 5000, p999LatencyUs: 6000, maxLatencyUs: 6000, inFlight: 4, generatorBehind: second === 5,
      servedLatenciesUs: second === 1 ? [1000, 2000, 6000] : [],
    })));
    expect(rows.map((row) => [row.step_index, row.step_multiplier, row.second_in_step, row.settling])).toEqual([
      [0, 1, 0, true], [0, 1, 1, false], [1, 2, 0, true], [1, 2, 2, false], [null, null, null, false],
    ]);
    expect(rows[1]).toEqual({
      second: 1, step_index: 0, step_multiplier: 1, second_in_step: 1, settling: false,
      offered_rps: 100, completed_rps: 90, rejected_rps: 7, failed_rps: 3, p50_latency_us: 1000, p99_latency_us: 5000, p999_latency_us: 6000, max_latency_us: 6000, avg_latency_us: 3000,
      in_flight: 4, max_send_lag_us: 0, generator_behind: false,
    });
    expect(rows[3]?.generator_behind).toBe(true);
    expect(rows[0]?.avg_latency_us).toBeNull(); // nothing served: no mean, never 0
  });
});

describe('summarizeStep', () => {
  const rows = [
    generatedSecond(0, { offered: 200, completed: 200 }),                       // settling: left out
    generatedSecond(1, { offered: 100, completed: 60, rejected: 30, failed: 10 }),
    generatedSecond(2, { offered: 100, completed: 80, rejected: 20, failed: 0 }),
    generatedSecond(3, { offered: 200, completed: 100, rejected: 100 }),
    generatedSecond(4, { offered: 200, completed: 100, rejected: 100, generatorBehind: true }),
  ].map((second) => overloadSecond(plan, second));

  it('averages goodput over the settled seconds and rates rejections and failures among the ended requests', () => {
    const latencies = Array.from({ length: 200 }, (_, i) => 200 - i); // unsorted on purpose
    expect(summarizeStep(plan, 0, rows, latencies)).toEqual({
      step_index: 0, multiplier: 1, offered_rate: 100, settled_seconds: 2, offered_rps: 100, goodput_rps: 70,
      p99_served_us: 198, p999_served_us: 200, max_served_us: 200, rejection_rate: 50 / 200, failure_rate: 10 / 200, generator_behind: false,
    });
  });
  it('says when the generator was behind in the step, and has no p99 without served requests', () => {
    const summary = summarizeStep(plan, 1, rows, []);
    expect(summary.generator_behind).toBe(true);
    expect(summary.p99_served_us).toBeNull();
    expect(summary.p999_served_us).toBeNull();
    expect(summary.max_served_us).toBeNull();
    expect(summary.rejection_rate).toBe(0.5);
  });
  it('refuses a step with no settled second, or no such step', () => {
    expect(() => summarizeStep(plan, 1, rows.slice(0, 3), [])).toThrow(/step 1 \(2×\) has no settled second/);
    expect(() => summarizeStep(plan, 5, rows, [])).toThrow(/no step 5/);
  });
});
