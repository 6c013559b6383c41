import type { Config } from './config.ts';
import { healthStatus } from './health.ts';
import { register } from 'prom-client';
import { listen, type HttpService } from './http/listen.ts';
import { createHttpMetrics } from './http/node-layer.ts';
import { AdaptiveLimit } from './limit/adaptive-limit.ts';
import { createInFlightLimit } from './limit/in-flight-limit.ts';
import { registerLimiterMetrics } from './limit/limiter-metrics.ts';
import type { SearchSource } from './http/routes.ts';
import { startIngestion, type IngestionStatus } from './ingestion.ts';
import type { Logger } from './log.ts';
import { registerServiceMetrics } from './metrics/exporter.ts';
import { listenMetrics } from './metrics/metrics-server.ts';
import { DURATION_BUCKETS_SECONDS } from './metrics/request-tally.ts';
import { countersOf } from './signals/counters.ts';
import type { ScaleOutRule } from './signals/scale-out.ts';
import { registerSignalMetrics } from './signals/signal-metrics.ts';
import { ResponseCache } from './response-cache.ts';
import { SearchIndex, packCatalogue } from './search-index.ts';

export interface RunningService {
  port: number;
  /** The metrics side listener's port, null without one. */
  metricsPort?: number | null;
  /** Graceful stop: stop accepting, finish in-flight requests, stop polling, flush the store. */
  close(): Promise<void>;
}

/** One process: ingestion (its worker thread) and the HTTP server side by side. */
export async function startService(config: Config, log: Logger, workerEntry: URL): Promise<RunningService> {
  let index: SearchIndex | null = null;
  const ingestion = await startIngestion(config, log, workerEntry, {
    catalogue: (packed, version) => (index = new SearchIndex(packed, version)),
    statusChanged: () => {},
  });
  const cache = new ResponseCache(config.cacheMaxBytes);
  const source = searchSource(() => index, () => ingestion.status(), cache, {});
  const limit = createInFlightLimit(config);
  const metrics = createHttpMetrics(limit, config.turnBudgetMs, config.standingMs, config.targetMs);
  const stopLimit = (): void => {
    if (limit instanceof AdaptiveLimit) limit.close();
  };
  const http = await listen(config, source, log, metrics, limit).catch((err: unknown) => {
    stopLimit();
    throw err;
  });
  let metricsHttp: HttpService | null = null;
  let stopSampling = (): void => {};
  if (config.metricsPort !== null) {
    const concurrencyLimit = config.maxInFlight > 0 ? () => limit.current() : config.maxConnections > 0 ? () => config.maxConnections : null;
    const stopService = registerServiceMetrics(register, {
      ...metrics,
      catalogue: { events: () => index?.size ?? 0, asOf: () => ingestion.status().catalogueAsOf, pollFailures: () => ingestion.status().poll.failuresTotal },
      concurrencyLimit,
    });
    if (limit instanceof AdaptiveLimit) registerLimiterMetrics(register, limit);
    const stopSignals = registerSignalMetrics(register, countersOf(metrics, concurrencyLimit ?? (() => null)), scaleOutRule(config), DURATION_BUCKETS_SECONDS);
    stopSampling = () => {
      stopService();
      stopSignals();
    };
    metricsHttp = await listenMetrics(register, config.host, config.metricsPort, log).catch(async (err: unknown) => {
      stopLimit();
      await http.close();
      await ingestion.close();
      throw err;
    });
  }
  const metricsPort = metricsHttp?.port ?? null;
  log.info('listening', { host: config.host, port: http.port, metricsPort, providerUrl: config.providerUrl, dataDir: config.dataDir });
  ingestion.start();

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const closed = Promise.all([http.close(), metricsHttp?.close()]);
      stopSampling();
      stopLimit();
      await ingestion.close();
      await closed;
      log.info('cache.stats', { ...cache.stats() }); // the lifetime totals, e.g. a bench's hit rate
    })();
    return closing;
  };
  return { port: http.port, metricsPort, close };
}

function scaleOutRule(config: Config): ScaleOutRule {
  return {
    windowSeconds: config.scaleOutWindow,
    eventLoopUtilization: config.scaleOutElu,
    inFlightRatio: config.scaleOutInFlightRatio,
    p99Seconds: config.scaleOutP99Ms / 1000,
    rejectionRatio: config.scaleOutRejectionRatio,
  };
}

const NO_STATUS: IngestionStatus = { ready: false, pollsOk: 0, lastPollAt: null, catalogueAsOf: null, poll: { consecutiveFailures: 0, failuresTotal: 0, lastError: null, lastFailureAt: null } };
const EMPTY_INDEX = new SearchIndex(packCatalogue([]));

/** What the routes read, from the current index and ingestion status (null: none yet); `extra` is added to /health. */
export function searchSource(
  index: () => SearchIndex | null,
  status: () => IngestionStatus | null,
  cache: ResponseCache,
  extra: Record<string, unknown>,
): SearchSource {
  return {
    ready: () => index() !== null && status()?.ready === true,
    index: () => index() ?? EMPTY_INDEX,
    cache,
    status: () => ({ ...healthStatus({ ...(status() ?? NO_STATUS), events: index()?.size ?? 0, cache: cache.stats(), now: Date.now() }), ...extra }),
  };
}
