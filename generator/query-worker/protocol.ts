/** Messages between the build and its query thread (client.ts ↔ worker.ts). */
import type { MessagePort } from 'node:worker_threads';
import type { SqlValue } from 'sql.js';
import type { QueryResult } from '../directives/query.ts';

export interface WorkerData {
  /** The database file's bytes, shared with the build (each thread opens its own copy). */
  bytes: SharedArrayBuffer;
  /** The database's path, for messages. */
  label: string;
  /** The chapter list to sync into the thread's copy (see book-database.ts); none for a plain database. */
  chapters?: string;
  /** Where git is asked about chapter commits. */
  repoDir: string;
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

/** Set by generator/book.mjs to the worker's bundle (plain CommonJS, started without tsx); inherited by --watch's builds. */
export const WORKER_BUNDLE_VARIABLE = 'BOOK_QUERY_WORKER_BUNDLE';
