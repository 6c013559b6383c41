/**
 * From the runs of one subject × scenario in one session to its summary row
 * (pure). Failed runs are counted, never averaged in. Ratios to the reference
 * are paired by moment (bench/stats/paired-ratio.ts): each successful run of the subject against
 * the reference's successful runs around it in the session's order — and there is no
 * ratio at all when a run of either was load-generator bound, since its throughput
 * was then the tool's limit, not the server's (ratio_note says so).
 */
import type { RunRow, SummaryFigures } from '../../db/schema.ts';
import { pairedRatio, type Slice } from '../stats/paired-ratio.ts';
import { coefficientOfVariation, median, medianConfidenceInterval } from '../stats/descriptive.ts';

export type { SummaryFigures };

/** What a summary needs of one run: the run's own columns, plus the sweep's mark. */
export type RunOutcome = Pick<
  RunRow,
  'run_index' | 'connections' | 'requests_per_second' | 'avg_latency_us' | 'p50_latency_us' | 'p90_latency_us' | 'p99_latency_us' | 'max_latency_us'
> & {
  /** The run's place in the session's order (runs.sequence); absent for an outcome that is no load run of its own (an open-loop part), which has no throughput. */
  sequence?: number;
  status: 'ok' | 'failed';
  loadgen_saturated: boolean;
  /** Something else took the server's or the generator's CPU during the slice (runs.disturbance): no figure, no ratio. */
  disturbed?: boolean;
  /** sweep: this step was the last healthy one of its round. */
  capacity?: boolean;
};

export const RATIO_NOTE_SATURATED = 'not comparable: the load generator was the limit';

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

function medianOf(values: (number | null | undefined)[]): number | null {
  const present = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return present.length === 0 ? null : median(present);
}

/** A summary's ratio columns. */
export type Ratio = Pick<SummaryFigures, 'ratio_median' | 'ratio_ci_low' | 'ratio_ci_high' | 'ratio_cv' | 'ratio_note'>;

const NO_RATIO: Ratio = { ratio_median: null, ratio_ci_low: null, ratio_ci_high: null, ratio_cv: null, ratio_note: null };

/** The paired ratio to the reference, or none (with the reason) when a run of either side hit the load generator's limit. */
function ratioToReference(ok: RunOutcome[], reference: RunOutcome[]): Ratio {
  const saturated = [ok.some((r) => r.loadgen_saturated) ? 'chapter' : '', reference.some((r) => r.loadgen_saturated) ? 'reference' : ''].filter(Boolean);
  if (saturated.length > 0) return { ...NO_RATIO, ratio_note: `${RATIO_NOTE_SATURATED} (${saturated.join(' and ')} runs)` };
  const slices = (runs: RunOutcome[]): Slice[] =>
    runs
      .filter((r) => r.status === 'ok' && !r.disturbed && r.requests_per_second !== null && r.requests_per_second > 0)
      .map((r) => {
        if (r.sequence === undefined) throw new Error(`run ${r.run_index}: a measured throughput without its place in the session's order cannot be paired`);
        return { position: r.sequence, value: r.requests_per_second as number };
      });
  const paired = pairedRatio(slices(ok), slices(reference));
  if (paired === null) return NO_RATIO;
  return { ratio_median: paired.ratio, ratio_ci_low: finite(paired.low), ratio_ci_high: finite(paired.high), ratio_cv: finite(paired.cv), ratio_note: null };
}

/** A subject's paired ratio to one yardstick's runs of the same rounds (table yardstick_ratios). */
export function yardstickRatio(runs: RunOutcome[], yardstick: RunOutcome[]): Ratio {
  return ratioToReference(runs.filter((r) => r.status === 'ok' && r.requests_per_second !== null), yardstick);
}

/**
 * @param runs the subject's runs (for sweep: the capacity steps carry `capacity`)
 * @param reference the reference's runs of the same rounds (absent for the reference itself and for the sweep)
 */
export function summarize(runs: RunOutcome[], reference?: RunOutcome[]): SummaryFigures {
  // A sweep is summarised by its capacity steps: one per round.
  const isSweep = runs.some((r) => r.capacity !== undefined);
  const considered = isSweep ? runs.filter((r) => r.capacity) : runs;
  const disturbed = considered.filter((r) => r.disturbed);
  const ok = considered.filter((r) => r.status === 'ok' && r.requests_per_second !== null && !r.disturbed);
  const failedRuns = isSweep ? new Set(runs.map((r) => r.run_index)).size - ok.length - disturbed.length : runs.length - ok.length - disturbed.length;
  const rps = ok.map((r) => r.requests_per_second as number);
  const ci = rps.length > 0 ? medianConfidenceInterval(rps) : null;
  const ratio = reference ? ratioToReference(ok, reference) : NO_RATIO;
  return {
    runs: ok.length,
    failed_runs: Math.max(0, failedRuns),
    rps_median: rps.length > 0 ? median(rps) : null,
    rps_ci_low: ci ? finite(ci.low) : null,
    rps_ci_high: ci ? finite(ci.high) : null,
    rps_cv: rps.length > 0 ? finite(coefficientOfVariation(rps)) : null,
    ...ratio,
    avg_latency_us: medianOf(ok.map((r) => r.avg_latency_us)),
    p50_latency_us: medianOf(ok.map((r) => r.p50_latency_us)),
    p90_latency_us: medianOf(ok.map((r) => r.p90_latency_us)),
    p99_latency_us: medianOf(ok.map((r) => r.p99_latency_us)),
    max_latency_us: medianOf(ok.map((r) => r.max_latency_us)),
    capacity_connections: isSweep && ok.length > 0 ? Math.floor(median(ok.map((r) => r.connections))) : null,
    capacity_rps: isSweep ? (rps.length > 0 ? median(rps) : null) : null,
    saturated_runs: runs.filter((r) => r.loadgen_saturated).length,
    disturbed_runs: disturbed.length,
  };
}
