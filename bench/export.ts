/**
 * Exports of the latest summaries for the benchmarking ecosystem (pure):
 * - Bencher Metric Format (bencher.json): {"<tag>/<scenario>": {"throughput":
 *   {value, lower_value, upper_value}, "latency": {value}}}, throughput in
 *   requests/s with the 95% CI of the median as bounds, latency the median of the
 *   runs' mean latency in nanoseconds (Bencher's latency unit).
 * - github-action-benchmark "customBiggerIsBetter" (github-action-benchmark.json):
 *   [{name, unit, value, range?, extra?}], throughput only (bigger is better).
 * The reference server and experiments are named "<subject>[+<experiment>]/<scenario>".
 */
import type { LatestSummary } from './store.ts';

export interface BencherMeasure {
  value: number;
  lower_value?: number;
  upper_value?: number;
}
export type BencherMetricFormat = Record<string, Record<string, BencherMeasure>>;

export interface GithubActionBenchmarkEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

export function benchmarkName(s: Pick<LatestSummary, 'subject' | 'experiment' | 'scenario'>): string {
  return `${s.subject}${s.experiment ? `+${s.experiment}` : ''}/${s.scenario}`;
}

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function toBencherMetricFormat(summaries: LatestSummary[]): BencherMetricFormat {
  const out: BencherMetricFormat = {};
  for (const s of summaries) {
    if (s.rps_median === null) continue;
    const throughput: BencherMeasure = { value: round(s.rps_median) };
    if (s.rps_ci_low !== null && s.rps_ci_high !== null) {
      throughput.lower_value = round(s.rps_ci_low);
      throughput.upper_value = round(s.rps_ci_high);
    }
    const measures: Record<string, BencherMeasure> = { throughput };
    if (s.avg_latency_us !== null) measures.latency = { value: Math.round(s.avg_latency_us * 1000) };
    out[benchmarkName(s)] = measures;
  }
  return out;
}

export function toGithubActionBenchmark(summaries: LatestSummary[]): GithubActionBenchmarkEntry[] {
  return summaries
    .filter((s) => s.rps_median !== null)
    .map((s) => {
      const entry: GithubActionBenchmarkEntry = { name: benchmarkName(s), unit: 'req/s', value: round(s.rps_median as number) };
      if (s.rps_ci_low !== null && s.rps_ci_high !== null) entry.range = `95% CI ${round(s.rps_ci_low)}–${round(s.rps_ci_high)}`;
      const extra = [`${s.runs} runs`, `session ${s.session_id} (${s.started_at})`];
      if (s.rps_cv !== null) extra.push(`CV ${(s.rps_cv * 100).toFixed(1)}%`);
      if (s.ratio_median !== null) extra.push(`ratio to reference ${s.ratio_median.toFixed(3)}`);
      if (s.p99_latency_us !== null) extra.push(`p99 ${(s.p99_latency_us / 1000).toFixed(2)} ms`);
      if (s.saturated_runs > 0) extra.push(`load generator was the bottleneck in ${s.saturated_runs} run(s)`);
      entry.extra = extra.join('; ');
      return entry;
    });
}
