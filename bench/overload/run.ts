// Drives the step plan with the open-loop generator: one schedule, one phase per step, each
// second turned into an overload row as it closes, and every step summarised at the end.
import type { OpenLoopResult } from '../loadgen/open-loop.ts';
import { runOpenLoop } from '../loadgen/open-loop-thread.ts';
import { overloadPlan, type OverloadPlanOptions, type OverloadStep } from './plan.ts';
import { overloadSecond, type OverloadSecond } from './record.ts';
import { summarizeStep, type StepSummary } from './summary.ts';

export interface OverloadOptions extends Omit<OverloadPlanOptions, 'capacity'> {
  connections?: number;
  timeoutSeconds?: number;
  lagToleranceMs?: number;
}

export interface OverloadRun {
  ok: boolean;                 // false: nothing served at all (failure says why)
  failure?: string;
  capacity: number;
  plan: OverloadStep[];
  rows: OverloadSecond[];
  steps: StepSummary[];
  generator: Pick<OpenLoopResult, 'tool' | 'generatorKeptUp' | 'behindSeconds' | 'warmUpRequests' | 'cpuSeconds' | 'wallSeconds' | 'totals'>;
}

/** Offers capacity × each multiplier in turn to `url` (127.0.0.1 only); onSecond sees each row live. */
export async function runOverload(
  url: string, paths: string[], capacity: number, options: OverloadOptions = {}, onSecond?: (row: OverloadSecond) => void,
): Promise<OverloadRun> {
  const plan = overloadPlan({ ...options, capacity });
  const rows: OverloadSecond[] = [];
  const settledLatencies: number[][] = plan.map(() => []);
  const result = await runOpenLoop({
    url, paths,
    phases: plan.map((step) => ({ rate: step.rate, seconds: step.seconds })),
    ...(options.connections === undefined ? {} : { connections: options.connections }),
    ...(options.timeoutSeconds === undefined ? {} : { timeoutSeconds: options.timeoutSeconds }),
    ...(options.lagToleranceMs === undefined ? {} : { lagToleranceMs: options.lagToleranceMs }),
  }, (generated) => {
    const row = overloadSecond(plan, generated);
    rows.push(row);
    const stepLatencies = row.step_index !== null && !row.settling ? settledLatencies[row.step_index] : undefined;
    // A loop, not push(...): a second at tens of thousands of answers would overflow the argument list.
    if (stepLatencies) for (const latency of generated.servedLatenciesUs) stepLatencies.push(latency);
    onSecond?.(row);
  });
  const { tool, generatorKeptUp, behindSeconds, warmUpRequests, cpuSeconds, wallSeconds, totals } = result;
  // A step the run never reached (the generator hit its deadline first) has no summary, and says so.
  const measured = plan.map((_, index) => index).filter((index) => rows.some((row) => row.step_index === index && !row.settling));
  const unmeasured = plan.filter((_, index) => !measured.includes(index)).map((step) => `${step.multiplier}×`);
  const failures = [result.failure, unmeasured.length > 0 ? `no settled second for step(s) ${unmeasured.join(', ')}` : undefined]
    .filter((failure) => failure !== undefined);
  return {
    ok: result.ok && unmeasured.length === 0,
    ...(failures.length === 0 ? {} : { failure: failures.join('; ') }),
    capacity, plan, rows,
    steps: measured.map((index) => summarizeStep(plan, index, rows, settledLatencies[index] ?? [])),
    generator: { tool, generatorKeptUp, behindSeconds, warmUpRequests, cpuSeconds, wallSeconds, totals },
  };
}
