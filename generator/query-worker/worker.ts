/**
 * The thread author queries run in (see client.ts): opens its own copy of the database
 * from the bytes it is given (chapters synced, book-database.ts), then answers one query
 * per message. Every message gets exactly one reply, followed by a wake-up of the
 * waiting main thread.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { loadSqlJs } from '../../db/database.ts';
import { reasonOf } from '../directives/errors.ts';
import { runReadOnlyQuery } from '../directives/query.ts';
import { openBookDatabase } from './book-database.ts';
import { createViewCache } from './view-cache.ts';
import type { QueryReply, QueryRequest, WorkerData } from './protocol.ts';

const { bytes, label, chapters, repoDir, maxRows, port, signal } = workerData as WorkerData;
const wake = new Int32Array(signal);

function reply(port: MessagePort, message: QueryReply): void {
  port.postMessage(message);
  Atomics.store(wake, 0, 1);
  Atomics.notify(wake, 0);
}

loadSqlJs()
  .catch((error: unknown) => {
    throw new Error(`the query thread could not load SQLite: ${reasonOf(error)}`);
  })
  .then(() => openBookDatabase({ bytes: new Uint8Array(bytes), label, chapters, repoDir }))
  .then(
    (db) => {
      const views = createViewCache(db);
      port.on('message', (request: QueryRequest) => {
        try {
          views.prepare(request.sql, request.params);
          reply(port, { ok: true, result: runReadOnlyQuery(db, request.sql, request.params, maxRows) });
        } catch (error) {
          reply(port, { ok: false, reason: reasonOf(error) });
        }
      });
      reply(port, { ok: true, result: { columns: [], rows: [] } }); // ready
    },
    (error: unknown) => reply(port, { ok: false, reason: reasonOf(error) }),
  );
