import cluster from 'node:cluster';
import type { Config } from '../config.ts';
import { listen, type HttpService } from '../http/listen.ts';
import { createHttpMetrics } from '../http/node-layer.ts';
import { createInFlightLimit } from '../limit/in-flight-limit.ts';
import type { IngestionStatus } from '../ingestion.ts';
import { describeError, type Logger } from '../log.ts';
import { ResponseCache } from '../response-cache.ts';
import { SearchIndex } from '../search-index.ts';
import { searchSource } from '../service.ts';
import type { FromHttpWorker, ToHttpWorker } from './messages.ts';

/**
 * One HTTP process of the cluster: answers from the catalogue and status the primary sends
 * (it neither polls nor writes the data dir). Exits 0 when told to shut down, or when the
 * primary is gone.
 */
export async function runHttpWorker(config: Config & { workers: number }, log: Logger): Promise<void> {
  let index: SearchIndex | null = null;
  let status: IngestionStatus | null = null;
  const cache = new ResponseCache(config.cacheMaxBytes);
  const id = cluster.worker?.id ?? 0;
  const source = searchSource(() => index, () => status, cache, { worker: id, workers: config.workers, pid: process.pid });

  let http: HttpService | null = null;
  let stopping = false;
  let exiting = false;
  const closeAndExit = (service: HttpService): void => {
    if (exiting) return;
    exiting = true;
    service.close().then(
      () => {
        // Caches are per worker: each logs its lifetime totals (summed, they are the service's).
        log.info('cache.stats', { worker: id, ...cache.stats() });
        process.exit(0);
      },
      (err: unknown) => {
        log.error('worker.shutdown_failed', { worker: id, error: describeError(err) });
        process.exit(1);
      },
    );
  };
  // Before listening there is nothing in flight: the stop happens as soon as the server exists.
  const shutdown = (): void => {
    stopping = true;
    if (http) closeAndExit(http);
  };
  process.on('message', (message: ToHttpWorker) => {
    if (message.type === 'catalogue') index = new SearchIndex(message.packed, message.version);
    else if (message.type === 'status') status = message.status;
    else shutdown();
  });
  // Messages sent before this point would have been lost: ask for the current state now.
  process.send?.({ type: 'hello' } satisfies FromHttpWorker);
  const limit = createInFlightLimit(config);
  http = await listen(config, source, log, createHttpMetrics(limit, config.turnBudgetMs, config.standingMs, config.targetMs), limit); // counted, not exported: --metrics-port needs --workers 1
  if (stopping) closeAndExit(http);
  // The primary signals the whole service; a signal to the process group reaches here too.
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.on('disconnect', shutdown);
}
