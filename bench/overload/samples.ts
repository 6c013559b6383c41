// From one open-loop second (the client's view) and the server's gauges scraped at its end to
// the rows of the three series tables (pure). Client columns are always filled; server columns
// are NULL when the subject exposes no metrics or lacks that metric — never 0.
import type { AdaptiveLimiterSample, OverloadStepRow, ScalingSignalSample, StressTestSample } from '../../db/schema.ts';
import type { ServerGauges } from '../metrics/gauges.ts';
import type { OverloadSecond } from './record.ts';
import type { StepSummary } from './summary.ts';

/** What the server said of one second: its gauges at the end, its shed counter as a rate over the second. */
export interface ServerSecond {
  inFlight: number | null;
  limit: number | null;
  rttNoLoadUs: number | null;
  rttUs: number | null;
  eventLoopUtilization: number | null;
  scaleOut: number | null;
  shedRps: number | null;
}

const NO_SERVER: ServerSecond = { inFlight: null, limit: null, rttNoLoadUs: null, rttUs: null, eventLoopUtilization: null, scaleOut: null, shedRps: null };

const micros = (seconds: number | null): number | null => (seconds === null ? null : seconds * 1e6);

/** A counter's increase per second between two readings; null without both values, or after a reset. */
export function counterRate(before: number | null | undefined, after: number | null | undefined, seconds: number): number | null {
  if (before === null || before === undefined || after === null || after === undefined || !(seconds > 0) || after < before) return null;
  return (after - before) / seconds;
}

/**
 * The server's second from the gauges read at its end and the reading before (the previous
 * second's end, or just before the run); null readings: the subject has no metrics, or the scrape failed.
 */
export function serverSecond(previous: ServerGauges | null | undefined, current: ServerGauges | null | undefined): ServerSecond {
  if (!current) return NO_SERVER;
  return {
    inFlight: current.inFlight,
    limit: current.limit,
    rttNoLoadUs: micros(current.rttNoLoadSeconds),
    rttUs: micros(current.rttSeconds),
    eventLoopUtilization: current.eventLoopUtilization,
    scaleOut: current.scaleOut,
    shedRps: previous ? counterRate(previous.shedTotal, current.shedTotal, (current.at - previous.at) / 1000) : null,
  };
}

/** Shares of the requests that ended in the second (null when none ended). */
function endedShares(row: OverloadSecond): { success: number | null; rejection: number | null } {
  const ended = row.completed_rps + row.rejected_rps + row.failed_rps;
  return ended === 0 ? { success: null, rejection: null } : { success: row.completed_rps / ended, rejection: row.rejected_rps / ended };
}

/** The second's end, from the first send: the x of every series chart. */
const elapsed = (row: OverloadSecond): number => row.second + 1;

/** in flight ÷ limit, the server's own saturation; null without either. */
function saturation(server: ServerSecond): number | null {
  return server.inFlight === null || server.limit === null || server.limit <= 0 ? null : server.inFlight / server.limit;
}

export function stressSample(row: OverloadSecond): StressTestSample {
  const shares = endedShares(row);
  return {
    test_type: 'overload',
    elapsed_seconds: elapsed(row),
    observed_rps: row.completed_rps,
    success_rate: shares.success,
    active_connections: null,
    rejection_rate: shares.rejection,
    avg_latency_us: row.avg_latency_us,
    offered_rps: row.offered_rps,
    completed_rps: row.completed_rps,
    rejected_rps: row.rejected_rps,
    failed_rps: row.failed_rps,
    p50_latency_us: row.p50_latency_us,
    p99_latency_us: row.p99_latency_us,
    p999_latency_us: row.p999_latency_us,
    max_latency_us: row.max_latency_us,
    in_flight: row.in_flight,
    step_multiplier: row.step_multiplier,
    settling: row.settling,
    max_send_lag_us: row.max_send_lag_us,
    generator_behind: row.generator_behind,
  };
}

/** The limit against the previous second's: what the limiter did. */
export function limitAction(previous: number | null, current: number | null): 'increase' | 'decrease' | 'hold' | null {
  if (current === null) return null;
  if (previous === null || previous === current) return 'hold';
  return current > previous ? 'increase' : 'decrease';
}

export function adaptiveSample(row: OverloadSecond, server: ServerSecond, previousLimit: number | null): AdaptiveLimiterSample {
  return {
    elapsed_seconds: elapsed(row),
    connection_limit: server.limit,
    observed_rps: row.completed_rps,
    rejection_rate: endedShares(row).rejection,
    active_connections: null,
    saturation_ratio: saturation(server),
    action: limitAction(previousLimit, server.limit),
    in_flight: server.inFlight,
    offered_rps: row.offered_rps,
    p99_latency_us: row.p99_latency_us,
    p999_latency_us: row.p999_latency_us,
    max_latency_us: row.max_latency_us,
    shed_rps: server.shedRps,
    generator_behind: row.generator_behind,
    no_load_rtt_us: server.rttNoLoadUs,
    current_rtt_us: server.rttUs,
    accepted_rps: row.completed_rps,
    rejected_rps: row.rejected_rps,
  };
}

/** What the lead time needs of a scaling second. */
export interface LeadSample { elapsed_seconds: number; p99_latency_us: number | null; p99_limit_us: number | null; needs_scaleout: number | null; generator_behind: boolean }

export function scalingSample(row: OverloadSecond, server: ServerSecond, p99LimitUs: number): ScalingSignalSample & LeadSample {
  return {
    elapsed_seconds: elapsed(row),
    rejection_rate: endedShares(row).rejection,
    saturation_ratio: saturation(server),
    needs_scaleout: server.scaleOut,
    connection_limit: server.limit,
    active_connections: null,
    observed_rps: row.completed_rps,
    in_flight: server.inFlight,
    offered_rps: row.offered_rps,
    p99_latency_us: row.p99_latency_us,
    p999_latency_us: row.p999_latency_us,
    max_latency_us: row.max_latency_us,
    shed_rps: server.shedRps,
    generator_behind: row.generator_behind,
    event_loop_utilization: server.eventLoopUtilization,
    p99_limit_us: p99LimitUs,
    rejected_rps: row.rejected_rps,
  };
}

export interface LeadTime {
  /** First second whose p99 of served requests crossed the limit (generator-behind seconds left out). */
  p99CrossedAt: number | null;
  /** First second the server's scale-out signal was on. */
  signalAt: number | null;
  /** p99CrossedAt − signalAt: positive when the signal fired first; null when either never happened. */
  leadSeconds: number | null;
}

/** The scale-out signal's lead over the p99 objective in one ramp (the view scaling_lead_time computes the same from the table). */
export function leadTime(samples: readonly LeadSample[]): LeadTime {
  const crossed = samples.find((s) => !s.generator_behind && s.p99_latency_us !== null && s.p99_limit_us !== null && s.p99_latency_us > s.p99_limit_us);
  const signal = samples.find((s) => s.needs_scaleout === 1);
  const p99CrossedAt = crossed?.elapsed_seconds ?? null;
  const signalAt = signal?.elapsed_seconds ?? null;
  return { p99CrossedAt, signalAt, leadSeconds: p99CrossedAt === null || signalAt === null ? null : p99CrossedAt - signalAt };
}

/** A step's summary as an overload_steps row. */
export function stepRow(step: StepSummary, capacity: number, capacitySource: 'measured' | 'given' | 'objective' | 'chapter'): OverloadStepRow {
  return {
    step_index: step.step_index,
    step_multiplier: step.multiplier,
    capacity_rps: capacity,
    capacity_source: capacitySource,
    offered_rate: step.offered_rate,
    settled_seconds: step.settled_seconds,
    offered_rps: step.offered_rps,
    goodput_rps: step.goodput_rps,
    p99_served_us: step.p99_served_us,
    p999_served_us: step.p999_served_us,
    max_served_us: step.max_served_us,
    rejection_rate: step.rejection_rate,
    failure_rate: step.failure_rate,
    generator_behind: step.generator_behind,
  };
}
