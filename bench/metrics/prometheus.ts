/**
 * The Prometheus text exposition format read into ServerGauges (pure). Parsing is the
 * npm package parse-prometheus-text-format (escaping, histograms, timestamps handled
 * there, not by regexes here); this module only picks the contract's metrics.
 *
 * A metric the server does not export is null, never 0. A counter family that is
 * declared but has no sample yet (prom-client prints only its HELP and TYPE lines for a
 * labelled counter never incremented) is 0: the server counts it and nothing happened.
 * A gauge without a sample, or NaN (a chapter 9 limiter before its first measurement), has
 * no value: null.
 */
import parsePrometheusTextFormat, { type PrometheusFamily } from 'parse-prometheus-text-format';
import type { ServerGauges } from './gauges.ts';

export type MetricFamilies = Map<string, PrometheusFamily>;

/** Every metric family of an exposition, by name; a text that is not the format throws. */
export function parseExposition(text: string): MetricFamilies {
  let families: PrometheusFamily[];
  try {
    families = parsePrometheusTextFormat(text);
  } catch (error) {
    throw new Error(`not the Prometheus text format: ${(error as Error).message}`);
  }
  return new Map(families.map((family) => [family.name, family]));
}

/** A sample's number; null for NaN (any case: prom-client prints `Nan`), a value that is not there yet. Anything else unreadable throws. */
function numberOf(text: string | undefined, name: string): number | null {
  if (text !== undefined && /^nan$/i.test(text)) return null;
  const value = Number(text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : text);
  if (text === undefined || Number.isNaN(value)) throw new Error(`metric ${name}: not a number: ${String(text)}`);
  return value;
}

/** The sum of a counter over all its label sets; null when the server does not export it. */
export function counterSum(families: MetricFamilies, name: string): number | null {
  const family = families.get(name);
  if (!family) return null;
  const values = family.metrics.map((sample) => numberOf(sample.value, name));
  return values.includes(null) ? null : (values as number[]).reduce((sum, value) => sum + value, 0);
}

/** An unlabelled gauge's value; null when absent, without a sample, or NaN. Several label sets: an error (which one would it be?). */
export function gaugeValue(families: MetricFamilies, name: string): number | null {
  const family = families.get(name);
  if (!family || family.metrics.length === 0) return null;
  if (family.metrics.length > 1) throw new Error(`metric ${name}: expected one value, found ${family.metrics.length} label sets`);
  return numberOf(family.metrics[0].value, name);
}

/** The contract's gauges from one scrape's text, `at` ms into the run. */
export function toServerGauges(text: string, at: number): ServerGauges {
  const families = parseExposition(text);
  return {
    at,
    inFlight: gaugeValue(families, 'http_requests_in_flight'),
    limit: gaugeValue(families, 'concurrency_limit'),
    rttNoLoadSeconds: gaugeValue(families, 'limiter_rtt_noload_seconds'),
    rttSeconds: gaugeValue(families, 'limiter_rtt_seconds'),
    eventLoopUtilization: gaugeValue(families, 'event_loop_utilization'),
    scaleOut: gaugeValue(families, 'scale_out_signal'),
    requestsTotal: counterSum(families, 'http_requests_total'),
    shedTotal: counterSum(families, 'http_requests_shed_total'),
  };
}
