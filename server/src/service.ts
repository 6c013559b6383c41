import type { Config } from './config.ts';
import { healthStatus } from './health.ts';
import { register } from 'prom-client';
import { listen, type HttpService } from './http/listen.ts';
import { createHttpMetrics } from './http/node-layer.ts';
import type { SearchSource } from './http/routes.ts';
import { startIngestion, type IngestionStatus } from './ingestion.ts';
import type { Logger } from './log.ts';
import { registerServiceMetrics } from './metrics/exporter.ts';
import { listenMetrics } from './metrics/metrics-server.ts';
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
  const metrics = createHttpMetrics();
  const http = await listen(config, source, log, metrics);
  let metricsHttp: HttpService | null = null;
  let stopSampling = (): void => {};
  if (config.metricsPort !== null) {
    stopSampling = registerServiceMetrics(register, {
      ...metrics,
      catalogue: { events: () => index?.size ?? 0, asOf: () => ingestion.status().catalogueAsOf, pollFailures: () => ingestion.status().poll.failuresTotal },
      limits: { maxInFlight: config.maxInFlight, maxConnections: config.maxConnections },
    });
    metricsHttp = await listenMetrics(register, config.host, config.metricsPort, log).catch(async (err: unknown) => {
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
      await ingestion.close();
      await closed;
      log.info('cache.stats', { ...cache.stats() }); // the lifetime totals, e.g. a bench's hit rate
    })();
    return closing;
  };
  return { port: http.port, metricsPort, close };
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
