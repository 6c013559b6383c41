/** Messages between the build and its query thread (client.ts ↔ worker.ts). */
import type { MessagePort } from 'node:worker_threads';
import type { SqlValue } from 'sql.js';
import type { QueryResult } from '../directives/query.ts';

export interface WorkerData {
  /** The database file's bytes (the build's in-memory copy, chapters synced). */
  bytes: ArrayBuffer;
  maxRows: number;
  port: MessagePort;
  /** Int32 set to 1 by the worker after each reply. */
  signal: SharedArrayBuffer;
}

export interface QueryRequest {
  sql: string;
  params: SqlValue[];
}

export type QueryReply = { ok: true; result: QueryResult } | { ok: false; reason: string };

/** Set by generator-bundle.ts to the worker's bundle (plain CommonJS, started without tsx); inherited by --watch's builds. */
export const WORKER_BUNDLE_VARIABLE = 'BOOK_QUERY_WORKER_BUNDLE';
