import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { Counter, Gauge, collectDefaultMetrics, type Metric, type Registry } from 'prom-client';
import type { LoopTurn } from './loop-turn.ts';
import { loopUtilizationMeter } from './loop-utilization.ts';
import { DURATION_BUCKETS_SECONDS, type RequestTally, type ShedTally } from './request-tally.ts';

/** What the catalogue metrics read, at scrape time. */
export interface CatalogueGauges {
  events(): number;
  /** When the catalogue was last confirmed (epoch ms), null before any data. */
  asOf(): number | null;
  /** Failed or rejected polls since the start. */
  pollFailures(): number;
}

export interface ExporterSources {
  tally: RequestTally;
  turn: LoopTurn;
  shed: ShedTally;
  catalogue: CatalogueGauges;
  /** The concurrency limit in force, read when scraped; null: none configured (then concurrency_limit is not exported). */
  concurrencyLimit: (() => number) | null;
}

interface SampleValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/** The Prometheus samples of the duration histogram: cumulative buckets, +Inf, sum and count per (route, status). Pure. */
export function durationSamples(name: string, tally: RequestTally): SampleValue[] {
  const samples: SampleValue[] = [];
  for (const { route, tally: t } of tally.series()) {
    const labels = { route, status: String(t.status) };
    let cumulative = 0;
    DURATION_BUCKETS_SECONDS.forEach((le, i) => {
      cumulative += t.buckets[i];
      samples.push({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: cumulative });
    });
    samples.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: t.count });
    samples.push({ metricName: `${name}_sum`, labels, value: t.sumSeconds });
    samples.push({ metricName: `${name}_count`, labels, value: t.count });
  }
  return samples;
}

/**
 * Registers the service's metrics on `registry`. Everything is read when scraped, from the
 * hot path's plain counters; the only timer samples event-loop utilisation once a second.
 * Returns a stop function (clears that timer).
 */
export function registerServiceMetrics(registry: Registry, sources: ExporterSources): () => void {
  const { tally, turn, shed, catalogue, concurrencyLimit } = sources;
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  new Counter({
    name: 'http_requests_total', help: 'Requests answered, by route pattern and status.', labelNames: ['route', 'status'], registers,
    collect() {
      this.reset();
      for (const { route, tally: t } of tally.series()) this.inc({ route, status: String(t.status) }, t.count);
    },
  });
  const durationName = 'http_request_duration_seconds';
  const durationHelp = 'Time from the start of the loop turn that read the request (so including the wait behind the requests read before it) to its answer handed to the socket.';
  const durations = {
    name: durationName, help: durationHelp, type: 'histogram', aggregator: 'sum',
    get: async () => ({ name: durationName, help: durationHelp, type: 'histogram', aggregator: 'sum', values: durationSamples(durationName, tally) }),
  };
  // The registry takes any object with a name and get(); its types only name prom-client's own classes.
  registry.registerMetric(durations as unknown as Metric);
  new Gauge({
    name: 'http_requests_in_flight', help: 'Most requests read together in one event-loop turn (waiting together) over the last one to two seconds.', registers,
    collect() {
      this.set(turn.peakBatch());
    },
  });

  new Counter({
    name: 'http_requests_shed_total', help: 'Requests answered 503 overloaded by a limit, by reason (they are in http_requests_total too).', labelNames: ['reason'], registers,
    collect() {
      this.reset();
      for (const [reason, count] of Object.entries(shed.byReason)) this.inc({ reason }, count);
    },
  });
  new Counter({
    name: 'http_connections_dropped_total', help: 'Connections closed at accept because --max-connections were open.', registers,
    collect() {
      this.reset();
      this.inc(shed.droppedConnections);
    },
  });
  if (concurrencyLimit !== null) {
    new Gauge({
      name: 'concurrency_limit', help: 'The concurrency limit in force: the in-flight limit (adaptive or fixed), else --max-connections.', registers,
      collect() {
        this.set(concurrencyLimit());
      },
    });
  }

  const started: EventLoopUtilization = performance.eventLoopUtilization();
  const utilization = loopUtilizationMeter();
  let lastSecond: number | null = null;
  const sampler = setInterval(() => {
    lastSecond = utilization();
    turn.nextWindow();
  }, 1000);
  sampler.unref();
  new Gauge({
    name: 'event_loop_utilization', help: 'Share of the last second the event loop was busy (0..1).', registers,
    collect() {
      // Before the first whole second: the share since the exporter started.
      this.set(lastSecond ?? performance.eventLoopUtilization(performance.eventLoopUtilization(), started).utilization);
    },
  });

  new Gauge({
    name: 'catalogue_age_seconds', help: 'Time since the catalogue was last confirmed by a successful poll (or saved, when loaded from disk); NaN before any data.', registers,
    collect() {
      const asOf = catalogue.asOf();
      this.set(asOf === null ? NaN : Math.max(0, Date.now() - asOf) / 1000);
    },
  });
  new Counter({
    name: 'catalogue_poll_failures_total', help: 'Failed or rejected polls of the provider since the start.', registers,
    collect() {
      this.reset();
      this.inc(catalogue.pollFailures());
    },
  });
  new Gauge({
    name: 'catalogue_events', help: 'Events searchable now.', registers,
    collect() {
      this.set(catalogue.events());
    },
  });
  return () => clearInterval(sampler);
}
