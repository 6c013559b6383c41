// A step's summary over its settled seconds: goodput, p99 of the served requests, rejection
// and failure rates — and whether the generator kept its schedule there.
import { percentileOfSorted } from '../loadgen/open-loop-tally.ts';
import type { OverloadStep } from './plan.ts';
import type { OverloadSecond } from './record.ts';

export interface StepSummary {
  step_index: number;
  multiplier: number;
  offered_rate: number;             // the planned rate
  settled_seconds: number;          // seconds summarised (the step's seconds less its settling ones)
  offered_rps: number;              // mean over the settled seconds
  goodput_rps: number;              // 2xx per second, mean over the settled seconds
  p99_served_us: number | null;     // exact p99 of every 2xx latency of the settled seconds
  p999_served_us: number | null;    // exact p99.9, and the slowest: the tail beside p99
  max_served_us: number | null;
  rejection_rate: number | null;    // rejected / answered-or-failed in the settled seconds; null when none ended
  failure_rate: number | null;
  generator_behind: boolean;        // some settled second was sent late: the step is not the server's figure
}

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

/**
 * Summarises step `index` from its rows and the served latencies of its settled seconds
 * (µs, any order). Throws when the step has no settled row: a summary from nothing is no figure.
 */
export function summarizeStep(plan: readonly OverloadStep[], index: number, rows: readonly OverloadSecond[], servedLatenciesUs: readonly number[]): StepSummary {
  const step = plan[index];
  if (!step) throw new Error(`no step ${index} in a plan of ${plan.length}`);
  const settled = rows.filter((row) => row.step_index === index && !row.settling);
  if (settled.length === 0) throw new Error(`step ${index} (${step.multiplier}×) has no settled second to summarise`);
  const completed = sum(settled.map((row) => row.completed_rps));
  const rejected = sum(settled.map((row) => row.rejected_rps));
  const failed = sum(settled.map((row) => row.failed_rps));
  const ended = completed + rejected + failed;
  const served = [...servedLatenciesUs].sort((a, b) => a - b);
  return {
    step_index: index,
    multiplier: step.multiplier,
    offered_rate: step.rate,
    settled_seconds: settled.length,
    offered_rps: sum(settled.map((row) => row.offered_rps)) / settled.length,
    goodput_rps: completed / settled.length,
    p99_served_us: percentileOfSorted(served, 0.99),
    p999_served_us: percentileOfSorted(served, 0.999),
    max_served_us: served.at(-1) ?? null,
    rejection_rate: ended === 0 ? null : rejected / ended,
    failure_rate: ended === 0 ? null : failed / ended,
    generator_behind: settled.some((row) => row.generator_behind),
  };
}
