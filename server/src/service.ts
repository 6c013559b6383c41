import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.ts';
import { healthStatus } from './health.ts';
import { onClientError } from './http/client-error.ts';
import { createFastifyServer } from './http/fastify-layer.ts';
import { createNodeListener } from './http/node-layer.ts';
import type { SearchSource } from './http/routes.ts';
import { IngestWorker } from './ingest/ingest-worker.ts';
import { describeError, type Logger } from './log.ts';
import { Poller } from './poller.ts';
import { ResponseCache } from './response-cache.ts';
import { SearchIndex } from './search-index.ts';

export interface RunningService {
  port: number;
  /** Graceful stop: stop accepting, finish in-flight requests, stop polling, flush the store. */
  close(): Promise<void>;
}

/** Wires store, poller and HTTP server together and starts them. */
export async function startService(config: Config, log: Logger, workerEntry: URL): Promise<RunningService> {
  // Parsing, merging and writing the store happen in the ingest worker: the loop only answers.
  const { worker, loaded } = await IngestWorker.start(workerEntry, config.dataDir, log);
  let version = 0;
  let index = new SearchIndex(loaded.packed, version);
  const cache = new ResponseCache(config.cacheMaxBytes);
  let catalogueAsOf = loaded.savedAt;
  let ready = loaded.result === 'loaded';
  let lastPollAt: string | null = null;
  let pollsOk = 0;
  log.info('store.loaded', { file: loaded.file, result: loaded.result, plans: loaded.plans, searchable: index.size });

  const ingest = async (body: Buffer): Promise<true | { rejected: string }> => {
    const started = Date.now();
    const bytes = body.length; // the body is transferred to the worker
    const result = await worker.ingest(body);
    if (!result.ok) {
      log.warn('poll.rejected', { error: result.error, bytes });
      return { rejected: result.error };
    }
    if (result.packed) index = new SearchIndex(result.packed, ++version);
    if (result.saveError) throw new Error(`store not saved: ${result.saveError}`);
    ready = true;
    pollsOk++;
    catalogueAsOf = Date.now();
    lastPollAt = new Date(catalogueAsOf).toISOString();
    log.info('poll.ok', { ...result.stats, searchable: index.size, durationMs: Date.now() - started });
    return true;
  };

  const poller = new Poller({
    feedUrl: new URL(`${config.providerUrl}/api/events`),
    intervalMs: config.pollIntervalMs,
    limits: {
      connectTimeoutMs: Math.min(3000, config.pollTimeoutMs),
      totalTimeoutMs: config.pollTimeoutMs,
      maxBodyBytes: config.maxBodyBytes,
    },
    backoffBaseMs: Math.min(1000, config.pollIntervalMs),
    backoffMaxMs: Math.max(config.backoffMaxMs, Math.min(1000, config.pollIntervalMs)),
    ingest,
    log,
  });
  const source: SearchSource = {
    ready: () => ready,
    index: () => index,
    cache,
    status: () => healthStatus({ events: index.size, pollsOk, lastPollAt, catalogueAsOf, poll: poller.health(), cache: cache.stats(), now: Date.now() }),
  };

  const server = config.httpLayer === 'fastify' ? await createFastifyServer(source, log) : http.createServer(createNodeListener(source, log));
  if (config.httpLayer === 'node') server.on('clientError', onClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  log.info('listening', { host: config.host, port, providerUrl: config.providerUrl, dataDir: loaded.file });

  poller.start();

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections(); // keep-alive sockets with no request in flight
      await poller.stop();
      await closed;
      try {
        await worker.close();
      } catch (err) {
        log.error('store.flush_failed', { error: describeError(err) });
      }
    })();
    return closing;
  };

  return { port, close };
}
