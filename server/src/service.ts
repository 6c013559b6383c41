import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { onClientError } from './http/client-error.ts';
import { createFastifyServer } from './http/fastify-layer.ts';
import { createNodeListener } from './http/node-layer.ts';
import type { SearchSource } from './http/routes.ts';
import { emptyCatalogState, searchableEntries, type CatalogState } from './catalog.ts';
import type { Config } from './config.ts';
import { mergeFeed } from './ingest/merge.ts';
import { parseFeedBytes } from './ingest/parse-feed.ts';
import { describeError, type Logger } from './log.ts';
import { Poller } from './poller.ts';
import { SearchIndex } from './search-index.ts';
import { FileStore } from './store.ts';
import { healthStatus } from './health.ts';
import { ResponseCache } from './response-cache.ts';

/** Skipped plans are logged one by one up to this many per poll, then only counted. */
const SKIP_LOG_LIMIT = 20;

export interface RunningService {
  port: number;
  /** Graceful stop: stop accepting, finish in-flight requests, stop polling, flush the store. */
  close(): Promise<void>;
}

/** Wires store, poller and HTTP server together and starts them. */
export async function startService(config: Config, log: Logger): Promise<RunningService> {
  const store = new FileStore(config.dataDir, log);
  const loaded = await store.load();

  let state: CatalogState = loaded.kind === 'loaded' ? loaded.state : emptyCatalogState();
  let version = 0;
  let index = new SearchIndex(searchableEntries(state), version);
  const cache = new ResponseCache(config.cacheMaxBytes);
  let catalogueAsOf = loaded.kind === 'loaded' ? loaded.savedAt : null;
  let ready = loaded.kind === 'loaded';
  let unsaved = false; // a save failed: retry on the next poll even if nothing changes
  let lastPollAt: string | null = null;
  let pollsOk = 0;
  log.info('store.loaded', { file: store.file, result: loaded.kind, plans: state.plans.size, searchable: index.size });

  const ingest = async (body: Buffer): Promise<true | { rejected: string }> => {
    const started = Date.now();
    const feed = parseFeedBytes(body);
    if (!feed.ok) {
      log.warn('poll.rejected', { error: feed.error, bytes: body.length });
      return { rejected: feed.error };
    }
    feed.skipped.slice(0, SKIP_LOG_LIMIT).forEach((s) => log.warn('plan.skipped', { ...s }));
    const merged = mergeFeed(state, feed);
    if (merged.changed) {
      state = merged.state;
      index = new SearchIndex(searchableEntries(state), ++version);
    }
    if (merged.changed || unsaved) {
      unsaved = true;
      await store.save(state);
      unsaved = false;
    }
    ready = true;
    pollsOk++;
    catalogueAsOf = Date.now();
    lastPollAt = new Date(catalogueAsOf).toISOString();
    log.info('poll.ok', {
      variant: feed.variant,
      plans: feed.plans.length,
      skipped: feed.skipped.length,
      added: merged.added,
      updated: merged.updated,
      stored: state.plans.size,
      searchable: index.size,
      durationMs: Date.now() - started,
    });
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
  log.info('listening', { host: config.host, port, providerUrl: config.providerUrl, dataDir: store.file });

  poller.start();

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections(); // keep-alive sockets with no request in flight
      await poller.stop();
      await closed;
      await store.flush();
      if (unsaved) {
        try {
          await store.save(state);
        } catch (err) {
          log.error('store.flush_failed', { error: describeError(err) });
        }
      }
    })();
    return closing;
  };

  return { port, close };
}
