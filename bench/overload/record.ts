// The per-second row of the overload scenario, named like the stress series columns it is
// written to (snake_case on purpose: one field per column), and its construction from a
// second of the open-loop generator.
import { phaseAt, type OpenLoopSecond } from '../loadgen/open-loop-tally.ts';
import type { OverloadStep } from './plan.ts';

export interface OverloadSecond {
  second: number;                 // from the start of the run
  step_index: number | null;      // null: a drain second after the last step (nothing offered)
  step_multiplier: number | null;
  second_in_step: number | null;
  settling: boolean;              // one of the step's first seconds: not in its summary
  offered_rps: number;
  completed_rps: number;          // 2xx
  rejected_rps: number;           // 503 / 429
  failed_rps: number;             // other status, socket error, timeout
  p50_latency_us: number | null;  // of the served (2xx) requests, from their intended send time
  p99_latency_us: number | null;
  p999_latency_us: number | null; // the tail beside p99: p99.9 and the slowest served request
  max_latency_us: number | null;
  avg_latency_us: number | null;  // mean of the served requests, from their intended send time
  in_flight: number;              // offered and unanswered at the end of the second
  max_send_lag_us: number;        // worst delay of a send behind its intended time in this second
  generator_behind: boolean;      // that delay exceeded the tolerance: not the server's figure
}

function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let total = 0;
  for (const value of values) total += value;
  return total / values.length;
}

/** One second of the generator as a row of the overload series (seconds are whole, so counts are per second). */
export function overloadSecond(plan: readonly OverloadStep[], generated: OpenLoopSecond): OverloadSecond {
  const position = phaseAt(plan, generated.second);
  const step = position ? plan[position.index] : undefined;
  return {
    second: generated.second,
    step_index: position?.index ?? null,
    step_multiplier: step?.multiplier ?? null,
    second_in_step: position?.secondInPhase ?? null,
    settling: position !== null && step !== undefined && position.secondInPhase < step.settleSeconds,
    offered_rps: generated.offered,
    completed_rps: generated.completed,
    rejected_rps: generated.rejected,
    failed_rps: generated.failed,
    p50_latency_us: generated.p50LatencyUs,
    p99_latency_us: generated.p99LatencyUs,
    p999_latency_us: generated.p999LatencyUs,
    max_latency_us: generated.maxLatencyUs,
    avg_latency_us: mean(generated.servedLatenciesUs),
    in_flight: generated.inFlight,
    max_send_lag_us: generated.maxSendLagUs,
    generator_behind: generated.generatorBehind,
  };
}
