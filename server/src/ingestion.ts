import type { Config } from './config.ts';
import { IngestWorker } from './ingest/ingest-worker.ts';
import { describeError, type Logger } from './log.ts';
import { Poller, type PollHealth } from './poller.ts';
import type { PackedCatalogue } from './search-index.ts';

/** What /health needs to know about ingestion, serialisable (it crosses to cluster workers). */
export interface IngestionStatus {
  /** True once data came from disk or from a first successful poll. */
  ready: boolean;
  pollsOk: number;
  lastPollAt: string | null;
  /** When the catalogue was last confirmed: the last successful poll, else when the store was saved. */
  catalogueAsOf: number | null;
  poll: PollHealth;
}

export interface IngestionListener {
  /** A new searchable catalogue (at start, then after every poll that changed it). */
  catalogue(packed: PackedCatalogue, version: number): void;
  /** status() changed (after every poll). */
  statusChanged(): void;
}

export interface Ingestion {
  status(): IngestionStatus;
  /** Starts polling; the first poll at once. */
  start(): void;
  /** Stops polling (waiting for the current poll), flushes the store, stops the worker. */
  close(): Promise<void>;
}

/**
 * The ingestion side of the service: the ingest worker (parse, merge, persist) fed by the
 * poller. Only one per service writes the data dir, whatever the number of HTTP processes.
 */
export async function startIngestion(config: Config, log: Logger, workerEntry: URL, listener: IngestionListener): Promise<Ingestion> {
  const { worker, loaded } = await IngestWorker.start(workerEntry, config.dataDir, log);
  let version = 0;
  let searchable = loaded.packed.starts.length;
  const status: Omit<IngestionStatus, 'poll'> = { ready: loaded.result === 'loaded', pollsOk: 0, lastPollAt: null, catalogueAsOf: loaded.savedAt };
  log.info('store.loaded', { file: loaded.file, result: loaded.result, plans: loaded.plans, searchable });
  listener.catalogue(loaded.packed, version);

  const ingest = async (body: Buffer): Promise<true | { rejected: string }> => {
    const started = Date.now();
    const bytes = body.length; // the body is transferred to the worker
    const result = await worker.ingest(body);
    if (!result.ok) {
      log.warn('poll.rejected', { error: result.error, bytes });
      return { rejected: result.error };
    }
    if (result.packed) {
      searchable = result.packed.starts.length;
      listener.catalogue(result.packed, ++version);
    }
    if (result.saveError) throw new Error(`store not saved: ${result.saveError}`);
    status.ready = true;
    status.pollsOk++;
    status.catalogueAsOf = Date.now();
    status.lastPollAt = new Date(status.catalogueAsOf).toISOString();
    log.info('poll.ok', { ...result.stats, searchable, durationMs: Date.now() - started });
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
    onSettled: () => listener.statusChanged(),
  });

  return {
    status: () => ({ ...status, poll: poller.health() }),
    start: () => poller.start(),
    close: async () => {
      await poller.stop();
      try {
        await worker.close();
      } catch (err) {
        log.error('store.flush_failed', { error: describeError(err) });
      }
    },
  };
}
