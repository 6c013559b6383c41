/** Messages between the main thread and the ingest worker (structured clone; packed catalogues transferred). */
import type { PackedCatalogue } from '../search-index.ts';
import type { FeedVariant } from './parse-feed.ts';

export interface IngestWorkerData {
  role: 'ingest-worker';
  dataDir: string;
}

export type ToWorker = { type: 'load' } | { type: 'ingest'; bytes: Uint8Array } | { type: 'flush' };

export interface LoadedMessage {
  type: 'loaded';
  result: 'loaded' | 'missing' | 'corrupt';
  file: string;
  plans: number;
  packed: PackedCatalogue;
  savedAt: number | null;
}

/** Counts of one ingested document, for the poll.ok log line. */
export interface IngestStats {
  variant: FeedVariant;
  plans: number;
  skipped: number;
  added: number;
  updated: number;
  stored: number;
  searchable: number;
}

export type IngestedMessage =
  | { type: 'ingested'; ok: false; error: string }
  /** `packed` when the catalogue changed; `saveError` when it could not be persisted (retried next poll). */
  | { type: 'ingested'; ok: true; stats: IngestStats; packed: PackedCatalogue | null; saveError: string | null };

export type FromWorker = LoadedMessage | IngestedMessage | { type: 'flushed' } | { type: 'failed'; error: string };
