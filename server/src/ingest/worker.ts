/**
 * The ingest worker: parses, validates, merges and persists provider documents off the main
 * thread, and hands back the searchable catalogue packed for transfer. It owns the catalogue
 * state and the store file; the main thread only ever sees packed catalogues.
 */
import { parentPort } from 'node:worker_threads';
import { emptyCatalogState, searchableEntries, type CatalogState } from '../catalog.ts';
import { createLogger, describeError } from '../log.ts';
import { packCatalogue, transferablesOf } from '../search-index.ts';
import { FileStore } from '../store.ts';
import { mergeFeed } from './merge.ts';
import { parseFeedBytes } from './parse-feed.ts';
import type { FromWorker, IngestWorkerData, IngestedMessage, LoadedMessage, ToWorker } from './protocol.ts';

/** Skipped plans are logged one by one up to this many per poll, then only counted. */
const SKIP_LOG_LIMIT = 20;

export function runIngestWorker(data: IngestWorkerData): void {
  const port = parentPort;
  if (!port) throw new Error('runIngestWorker must run in a worker thread');
  const log = createLogger();
  const store = new FileStore(data.dataDir, log);
  let state: CatalogState = emptyCatalogState();
  let unsaved = false; // a save failed: retry on the next poll even if nothing changes

  const load = async (): Promise<LoadedMessage> => {
    const loaded = await store.load();
    if (loaded.kind === 'loaded') state = loaded.state;
    const packed = packCatalogue(searchableEntries(state));
    return { type: 'loaded', result: loaded.kind, file: store.file, plans: state.plans.size, packed, savedAt: loaded.kind === 'loaded' ? loaded.savedAt : null };
  };

  const ingest = async (bytes: Uint8Array): Promise<IngestedMessage> => {
    const feed = parseFeedBytes(bytes);
    if (!feed.ok) return { type: 'ingested', ok: false, error: feed.error };
    feed.skipped.slice(0, SKIP_LOG_LIMIT).forEach((s) => log.warn('plan.skipped', { ...s }));
    const merged = mergeFeed(state, feed);
    const entries = merged.changed ? searchableEntries(merged.state) : null;
    state = merged.state;
    let saveError: string | null = null;
    if (merged.changed || unsaved) {
      unsaved = true;
      try {
        await store.save(state);
        unsaved = false;
      } catch (err) {
        saveError = describeError(err);
      }
    }
    const stats = { variant: feed.variant, plans: feed.plans.length, skipped: feed.skipped.length, added: merged.added, updated: merged.updated, stored: state.plans.size, searchable: entries?.length ?? -1 };
    return { type: 'ingested', ok: true, stats, packed: entries ? packCatalogue(entries) : null, saveError };
  };

  const flush = async (): Promise<FromWorker> => {
    await store.flush();
    if (unsaved) await store.save(state);
    return { type: 'flushed' };
  };

  const reply = (message: FromWorker): void => {
    const packed = 'packed' in message && message.packed ? message.packed : null;
    port.postMessage(message, packed ? transferablesOf(packed) : []);
  };

  port.on('message', (message: ToWorker) => {
    const work = message.type === 'load' ? load() : message.type === 'ingest' ? ingest(message.bytes) : flush();
    work.then(reply, (err: unknown) => reply({ type: 'failed', error: describeError(err) })).then(collectGarbage);
  });
}

/**
 * A document leaves tens of MB of garbage in this isolate (the parsed plans, the replaced state,
 * the store's text, the document's bytes), and V8 let it pile up over two or three documents
 * before a full collection: the process's peak resident memory grew with every document (chapter
 * 17). Collected here, after the answer has gone, on this thread: the event loop never waits.
 */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
