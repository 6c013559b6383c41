import { describe, expect, it } from 'vitest';
import type { ServerGauges } from '../metrics/gauges.ts';
import { generatedSecond } from './fixtures.ts';
import { overloadPlan } from './plan.ts';
import { overloadSecond } from './record.ts';
import { adaptiveSample, counterRate, leadTime, limitAction, scalingSample, serverSecond, stressSample, type LeadSample } from './samples.ts';

const plan = overloadPlan({ capacity: 100, multipliers: [1, 2], stepSeconds: 2, settleSeconds: 1 });
const row = overloadSecond(plan, generatedSecond(1, { offered: 100, completed: 60, rejected: 30, failed: 10, p99LatencyUs: 9000, inFlight: 7, servedLatenciesUs: [1000, 3000] }));
const gauges = (fields: Partial<ServerGauges>): ServerGauges => ({
  at: 0, inFlight: null, limit: null, rttNoLoadSeconds: null, rttSeconds: null, eventLoopUtilization: null, scaleOut: null, requestsTotal: null, shedTotal: null, ...fields,
});

describe('series rows of an open-loop second', () => {
  it('fills the client columns and leaves every server column NULL when the subject has no metrics', () => {
    const server = serverSecond(undefined, null);
    expect(stressSample(row)).toMatchObject({
      test_type: 'overload', elapsed_seconds: 2, observed_rps: 60, offered_rps: 100, completed_rps: 60, rejected_rps: 30, failed_rps: 10,
      success_rate: 0.6, rejection_rate: 0.3, avg_latency_us: 2000, p99_latency_us: 9000, in_flight: 7, step_multiplier: 1, settling: false, active_connections: null,
    });
    expect(adaptiveSample(row, server, null)).toMatchObject({
      connection_limit: null, in_flight: null, no_load_rtt_us: null, current_rtt_us: null, saturation_ratio: null, action: null, shed_rps: null,
      offered_rps: 100, accepted_rps: 60, rejected_rps: 30, observed_rps: 60, rejection_rate: 0.3,
    });
    expect(scalingSample(row, server, 50_000)).toMatchObject({
      needs_scaleout: null, event_loop_utilization: null, connection_limit: null, saturation_ratio: null, in_flight: null, p99_limit_us: 50_000, p99_latency_us: 9000,
    });
  });

  it('reads the server second from its gauges: RTTs in µs, in flight ÷ limit, the shed counter as a rate between readings', () => {
    const before = gauges({ at: 1000, shedTotal: 100 });
    const after = gauges({ at: 3000, shedTotal: 160, inFlight: 8, limit: 16, rttNoLoadSeconds: 0.002, rttSeconds: 0.005, eventLoopUtilization: 0.9, scaleOut: 1 });
    const server = serverSecond(before, after);
    expect(server).toEqual({ inFlight: 8, limit: 16, rttNoLoadUs: 2000, rttUs: 5000, eventLoopUtilization: 0.9, scaleOut: 1, shedRps: 30 });
    expect(adaptiveSample(row, server, 20)).toMatchObject({ connection_limit: 16, saturation_ratio: 0.5, action: 'decrease', shed_rps: 30, no_load_rtt_us: 2000 });
    expect(scalingSample(row, server, 50_000)).toMatchObject({ needs_scaleout: 1, event_loop_utilization: 0.9, saturation_ratio: 0.5 });
    // No earlier reading, or a counter that went back (a restarted server): no rate, never 0.
    expect(serverSecond(undefined, after).shedRps).toBeNull();
    expect(counterRate(160, 100, 1)).toBeNull();
    expect(counterRate(null, 100, 1)).toBeNull();
  });

  it('names what the limiter did against the previous second', () => {
    expect([limitAction(10, 12), limitAction(12, 10), limitAction(10, 10), limitAction(null, 10), limitAction(10, null)]).toEqual(['increase', 'decrease', 'hold', 'hold', null]);
  });
});

describe('leadTime', () => {
  const second = (elapsed: number, p99: number | null, signal: number | null, behind = false): LeadSample => ({
    elapsed_seconds: elapsed, p99_latency_us: p99, p99_limit_us: 50_000, needs_scaleout: signal, generator_behind: behind,
  });
  it('is the seconds from the first scale-out signal to the first p99 over the limit, generator-behind seconds left out', () => {
    const samples = [second(1, 1000, 0), second(2, 90_000, 0, true), second(3, 20_000, 1), second(4, 40_000, 1), second(5, 60_000, 1)];
    expect(leadTime(samples)).toEqual({ p99CrossedAt: 5, signalAt: 3, leadSeconds: 2 });
  });
  it('is negative when the p99 was crossed first, and null when either never happened', () => {
    expect(leadTime([second(1, 60_000, 0), second(2, 60_000, 1)]).leadSeconds).toBe(-1);
    expect(leadTime([second(1, 1000, null), second(2, 60_000, null)])).toEqual({ p99CrossedAt: 2, signalAt: null, leadSeconds: null });
  });
});
