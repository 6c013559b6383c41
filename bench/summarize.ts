/**
 * From the runs of one subject × scenario in one session to its summary row
 * (pure). Failed runs are counted, never averaged in. Ratios to the reference
 * are paired by round: only rounds where both the subject and the reference
 * succeeded contribute.
 */
import { coefficientOfVariation, median, medianConfidenceInterval, ratioConfidenceInterval } from './stats.ts';

export interface RunOutcome {
  round: number;
  status: 'ok' | 'failed';
  connections: number;
  requestsPerSecond: number | null;
  avgLatencyUs: number | null;
  p50LatencyUs: number | null;
  p90LatencyUs: number | null;
  p99LatencyUs: number | null;
  maxLatencyUs: number | null;
  loadgenSaturated: boolean;
  /** sweep: this step was the last healthy one of its round. */
  capacity?: boolean;
}

export interface SummaryFigures {
  runs: number;
  failedRuns: number;
  rpsMedian: number | null;
  rpsCiLow: number | null;
  rpsCiHigh: number | null;
  rpsCv: number | null;
  ratioMedian: number | null;
  ratioCiLow: number | null;
  ratioCiHigh: number | null;
  ratioCv: number | null;
  avgLatencyUs: number | null;
  p50LatencyUs: number | null;
  p90LatencyUs: number | null;
  p99LatencyUs: number | null;
  maxLatencyUs: number | null;
  capacityConnections: number | null;
  capacityRps: number | null;
  saturatedRuns: number;
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

function medianOf(values: (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return present.length === 0 ? null : median(present);
}

/**
 * @param runs the subject's runs (for sweep: the capacity steps carry `capacity`)
 * @param referenceRps the reference's successful throughput per round (absent for the reference itself)
 */
export function summarize(runs: RunOutcome[], referenceRps?: Map<number, number>): SummaryFigures {
  // A sweep is summarised by its capacity steps: one per round.
  const isSweep = runs.some((r) => r.capacity !== undefined);
  const considered = isSweep ? runs.filter((r) => r.capacity) : runs;
  const ok = considered.filter((r) => r.status === 'ok' && r.requestsPerSecond !== null);
  const failedRuns = isSweep ? new Set(runs.map((r) => r.round)).size - ok.length : runs.length - ok.length;
  const rps = ok.map((r) => r.requestsPerSecond as number);
  const ci = rps.length > 0 ? medianConfidenceInterval(rps) : null;
  let ratio: { ratio: number; low: number; high: number; cv: number } | null = null;
  if (referenceRps) {
    const paired = ok.filter((r) => (referenceRps.get(r.round) ?? 0) > 0);
    if (paired.length > 0) {
      const numerators = paired.map((r) => r.requestsPerSecond as number);
      const denominators = paired.map((r) => referenceRps.get(r.round) as number);
      const interval = ratioConfidenceInterval(numerators, denominators);
      ratio = { ...interval, cv: coefficientOfVariation(numerators.map((n, i) => n / denominators[i])) };
    }
  }
  return {
    runs: ok.length,
    failedRuns: Math.max(0, failedRuns),
    rpsMedian: rps.length > 0 ? median(rps) : null,
    rpsCiLow: ci ? finite(ci.low) : null,
    rpsCiHigh: ci ? finite(ci.high) : null,
    rpsCv: rps.length > 0 ? finite(coefficientOfVariation(rps)) : null,
    ratioMedian: ratio ? ratio.ratio : null,
    ratioCiLow: ratio ? finite(ratio.low) : null,
    ratioCiHigh: ratio ? finite(ratio.high) : null,
    ratioCv: ratio ? finite(ratio.cv) : null,
    avgLatencyUs: medianOf(ok.map((r) => r.avgLatencyUs)),
    p50LatencyUs: medianOf(ok.map((r) => r.p50LatencyUs)),
    p90LatencyUs: medianOf(ok.map((r) => r.p90LatencyUs)),
    p99LatencyUs: medianOf(ok.map((r) => r.p99LatencyUs)),
    maxLatencyUs: medianOf(ok.map((r) => r.maxLatencyUs)),
    capacityConnections: isSweep && ok.length > 0 ? Math.floor(median(ok.map((r) => r.connections))) : null,
    capacityRps: isSweep ? (rps.length > 0 ? median(rps) : null) : null,
    saturatedRuns: runs.filter((r) => r.loadgenSaturated).length,
  };
}
