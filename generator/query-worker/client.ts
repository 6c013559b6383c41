/**
 * Author queries with a time limit. sql.js runs SQLite synchronously in the calling
 * thread, so a query that never ends (a recursive CTE without a stop) can only be
 * stopped from outside: the queries run in a worker thread holding its own copy of the
 * database, the build waits for each answer with a deadline (Atomics.wait, so rendering
 * stays synchronous) and terminates the thread when the deadline passes. The next query
 * starts a fresh thread.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { SqlValue } from 'sql.js';
import { DirectiveProblem, reasonOf } from '../directives/errors.ts';
import type { QueryLimits, QueryResult, QueryRunner } from '../directives/query.ts';
import { WORKER_BUNDLE_VARIABLE, type QueryReply, type WorkerData } from './protocol.ts';

const WORKER_SOURCE = fileURLToPath(new URL('./worker.ts', import.meta.url));
/** Starting the thread (loading SQLite and the database) is not part of any query's time. */
const STARTUP_LIMIT_MS = 60_000;

/**
 * From its bundle (a build started by generator/book.mjs) the worker is plain CommonJS; from its
 * TypeScript source (tests, BOOK_FROM_SOURCES) it registers tsx's loader itself.
 */
const BOOTSTRAP = `
const { createRequire } = require('node:module');
const { workerData } = require('node:worker_threads');
try {
  const load = createRequire(workerData.entry);
  if (!workerData.entry.endsWith('.cjs')) load('tsx/cjs/api').register();
  load(workerData.entry);
} catch (error) {
  workerData.port.postMessage({ ok: false, reason: 'the query thread could not start: ' + error.message });
  const wake = new Int32Array(workerData.signal);
  Atomics.store(wake, 0, 1);
  Atomics.notify(wake, 0);
}
`;

interface Thread {
  worker: Worker;
  port: MessagePort;
  wake: Int32Array;
  /** Has answered its start-up message. */
  ready: boolean;
}

/** The database a query thread opens: its file's bytes, and optionally the chapter list to sync in. */
export interface QuerySource {
  bytes: Uint8Array;
  /** Names the database in messages (its path). */
  label?: string;
  chapters?: string;
  repoDir?: string;
}

export class WorkerQueries implements QueryRunner {
  private thread: Thread | undefined;
  /** Answers so far, by query and parameters (frozen: every asker shares them). */
  private readonly answers = new Map<string, QueryResult>();
  /** Shared with every thread this runner starts (a restart after a timeout copies nothing). */
  private readonly bytes: SharedArrayBuffer;

  /** The thread starts loading at once; `ready()` waits for it. */
  constructor(
    private readonly source: QuerySource,
    private readonly limits: QueryLimits,
  ) {
    this.bytes = new SharedArrayBuffer(source.bytes.byteLength);
    new Uint8Array(this.bytes).set(source.bytes);
    this.thread = this.spawn();
  }

  /** Waits until the database is open; throws what went wrong opening it (not a directive's problem). */
  ready(): void {
    const thread = this.thread ?? (this.thread = this.spawn());
    if (!thread.ready) this.awaitStart(thread);
  }

  run(sql: string, params: SqlValue[] = []): QueryResult {
    // The database never changes during a build: pages asking the same (the versions view,
    // the sessions behind every figure's provenance…) get the first answer again, without a
    // round trip to the thread.
    const key = JSON.stringify([sql, params]);
    const known = this.answers.get(key);
    if (known) return known;
    const result = deepFreeze(this.ask(sql, params));
    this.answers.set(key, result);
    return result;
  }

  private ask(sql: string, params: SqlValue[]): QueryResult {
    this.ready();
    const thread = this.thread as Thread;
    Atomics.store(thread.wake, 0, 0);
    thread.port.postMessage({ sql, params });
    const reply = awaitReply(thread.port, thread.wake, this.limits.timeoutMs);
    if (reply === undefined) {
      this.close();
      const seconds = this.limits.timeoutMs / 1000;
      throw new DirectiveProblem(
        `the query did not finish within ${seconds} s and was stopped (the time limit: check the query for a recursion without end, or raise the limit with --query-timeout <seconds>)`,
      );
    }
    return unpack(reply);
  }

  /** Stops the thread (the process may exit while it still runs, but should not have to wait). */
  close(): void {
    const thread = this.thread;
    this.thread = undefined;
    if (!thread) return;
    thread.port.close();
    void thread.worker.terminate();
  }

  private spawn(): Thread {
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    const data: WorkerData & { entry: string } = {
      bytes: this.bytes,
      label: this.source.label ?? 'the database',
      chapters: this.source.chapters,
      repoDir: this.source.repoDir ?? process.cwd(),
      maxRows: this.limits.maxRows,
      port: port2,
      signal,
      entry: process.env[WORKER_BUNDLE_VARIABLE] || WORKER_SOURCE,
    };
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData: data, transferList: [port2] });
    worker.unref();
    return { worker, port: port1, wake: new Int32Array(signal), ready: false };
  }

  private awaitStart(thread: Thread): void {
    const reply = awaitReply(thread.port, thread.wake, STARTUP_LIMIT_MS);
    if (reply === undefined) {
      this.close();
      throw new Error(`the query thread did not start within ${STARTUP_LIMIT_MS / 1000} s`);
    }
    try {
      unpack(reply);
    } catch (error) {
      this.close();
      // Opening the database failed: the build's problem, not the directive's that asked first.
      throw new Error(reasonOf(error));
    }
    thread.ready = true;
  }

}

/**
 * The thread's reply, or undefined when none came within `limitMs`. A wake-up alone is no
 * reply: the notify that follows one reply can land after the next question was sent (the
 * wait had already returned on the flag), and waking then found an empty port ("the query
 * thread woke the build without an answer", seen once in a build). So the flag is reset after
 * each wake and the port looked at: a reply is on the port before its flag is set.
 */
export function awaitReply(port: MessagePort, wake: Int32Array, limitMs: number): QueryReply | undefined {
  const deadline = performance.now() + limitMs;
  for (;;) {
    const left = deadline - performance.now();
    if (left > 0) Atomics.wait(wake, 0, 0, left);
    Atomics.store(wake, 0, 0);
    const reply = receiveMessageOnPort(port)?.message as QueryReply | undefined;
    if (reply !== undefined || left <= 0) return reply;
  }
}

function unpack(reply: QueryReply): QueryResult {
  if (!reply.ok) throw new DirectiveProblem(reply.reason);
  return reply.result;
}

function deepFreeze(result: QueryResult): QueryResult {
  for (const row of result.rows) Object.freeze(row);
  Object.freeze(result.rows);
  Object.freeze(result.columns);
  return Object.freeze(result);
}
