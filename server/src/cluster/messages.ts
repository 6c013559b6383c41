/** Messages from the cluster primary to its HTTP workers (IPC with 'advanced' serialisation: typed arrays cross). */
import type { IngestionStatus } from '../ingestion.ts';
import type { PackedCatalogue } from '../search-index.ts';

export type ToHttpWorker =
  | { type: 'catalogue'; packed: PackedCatalogue; version: number }
  | { type: 'status'; status: IngestionStatus }
  | { type: 'shutdown' };

/** From an HTTP worker: its message handler is in place, send it the current state. */
export type FromHttpWorker = { type: 'hello' };
