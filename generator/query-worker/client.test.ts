import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'sql.js';
import { DirectiveProblem } from '../directives/errors.ts';
import { createTestDatabase } from '../directives/test-database.ts';
import { MessageChannel, Worker } from 'node:worker_threads';
import { awaitReply, WorkerQueries } from './client.ts';

const ENDLESS = 'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r';

describe('WorkerQueries', () => {
  let db: Database;
  let queries: WorkerQueries;
  beforeAll(async () => {
    db = await createTestDatabase();
    // Long enough that an ordinary query never reaches it on a loaded machine (start-up is not counted).
    queries = new WorkerQueries({ bytes: db.export() }, { maxRows: 3, timeoutMs: 2000 });
  });
  afterAll(() => {
    queries.close();
    db.close();
  });

  it('answers read-only queries from its copy of the database', () => {
    expect(queries.run('SELECT tag FROM versions ORDER BY chapter_number').rows).toEqual([['v1-baseline'], ['v2-cache'], ['v3-pool']]);
    expect(queries.run('SELECT ? + 1', [41]).rows).toEqual([[42]]);
    expect(() => queries.run('DELETE FROM runs')).toThrow('only a read-only SELECT');
  });

  it('stops a query that never ends, then answers the next one from a fresh thread', () => {
    let problem: unknown;
    try {
      queries.run(ENDLESS);
    } catch (error) {
      problem = error;
    }
    expect(problem).toBeInstanceOf(DirectiveProblem);
    expect((problem as DirectiveProblem).reason).toMatch(/^the query did not finish within 2 s and was stopped/);
    expect(queries.run('SELECT count(*) FROM chapters').rows).toEqual([[3]]);
  });

  it('answers a query asked again from its first answer, which nobody can change', () => {
    const first = queries.run('SELECT tag FROM versions ORDER BY chapter_number');
    expect(queries.run('SELECT tag FROM versions ORDER BY chapter_number')).toBe(first);
    expect(queries.run('SELECT ? + 1', [1]).rows).toEqual([[2]]);
    expect(queries.run('SELECT ? + 1', [2]).rows).toEqual([[3]]);
    expect(() => (first.rows as unknown[][]).push(['x'])).toThrow(TypeError);
    expect(() => (first.rows[0] as unknown[]).splice(0, 1)).toThrow(TypeError);
  });

  it('refuses more rows than the limit', () => {
    expect(() => queries.run('SELECT value FROM json_each(\'[1,2,3,4]\')')).toThrow('the query returned more than 3 rows');
    expect(queries.run('SELECT value FROM json_each(\'[1,2,3]\')').rows).toHaveLength(3);
  });
});

describe('awaitReply', () => {
  const staleWake = () => {
    const wake = new Int32Array(new SharedArrayBuffer(4));
    Atomics.store(wake, 0, 1); // the flag of an earlier reply, already taken
    return wake;
  };

  it('does not take a wake-up without a reply for one: it waits for the reply', async () => {
    const { port1, port2 } = new MessageChannel();
    const wake = staleWake();
    // The reply comes from another thread after the stale flag; the wait must outlast it.
    const sender = new Worker(
      `const { workerData } = require('node:worker_threads');
       const pause = new Int32Array(new SharedArrayBuffer(4));
       Atomics.wait(pause, 0, 0, 200);
       workerData.port.postMessage({ ok: true, result: { columns: ['a'], rows: [[1]] } });
       const wake = new Int32Array(workerData.signal);
       Atomics.store(wake, 0, 1);
       Atomics.notify(wake, 0);`,
      { eval: true, workerData: { port: port2, signal: wake.buffer }, transferList: [port2] },
    );
    expect(awaitReply(port1, wake, 60_000)).toEqual({ ok: true, result: { columns: ['a'], rows: [[1]] } });
    await sender.terminate();
    port1.close();
  });

  it('answers undefined when no reply came within the limit, however often it was woken', () => {
    const { port1, port2 } = new MessageChannel();
    expect(awaitReply(port1, staleWake(), 50)).toBeUndefined();
    port1.close();
    port2.close();
  });

  it('takes a reply already on the port', () => {
    const { port1, port2 } = new MessageChannel();
    port2.postMessage({ ok: false, reason: 'no such table' });
    expect(awaitReply(port1, staleWake(), 60_000)).toEqual({ ok: false, reason: 'no such table' });
    port1.close();
    port2.close();
  });
});
