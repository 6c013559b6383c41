import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../cli/args.ts';
import { openDatabase, queryRows, saveDatabase } from '../db/database.ts';
import { parseWithdrawOptions, withdrawSession } from './withdraw.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A database file with two complete editions of the whole book (sessions 1 and 2, a summary each) and one running session (3, nothing summarised yet). */
async function databaseFile(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'withdraw-'));
  dirs.push(dir);
  const path = join(dir, 'bench.sqlite');
  const db = await openDatabase(path, { create: true });
  db.run(`INSERT INTO machine_info(fingerprint, cpu_model, cores, memory_bytes, kernel, os, node_version, details_json) VALUES ('m', 'Xeon', 2, 1, 'k', 'linux', 'v20', '{"arch":"x64"}')`);
  db.run("INSERT INTO chapters(tag, chapter_number, title, technique, summary, commit_hash) VALUES ('v1', 1, 'A', 'a', 'a', ?)", ['a'.repeat(40)]);
  for (const [id, status] of [[1, 'complete'], [2, 'complete'], [3, 'running']] as const) {
    db.run(
      `INSERT INTO sessions(id, started_at, status, harness_commit, machine_fingerprint, tool, tool_version, settings_json) VALUES (?, ?, ?, 'h', 'm', 'wrk', '4', ?)`,
      [id, `2026-01-01T00:0${id}:00Z`, status, JSON.stringify({ edition: { whole_book: true } })],
    );
    if (status === 'complete') db.run(`INSERT INTO summaries(session_id, subject, scenario, settings_key, runs, failed_runs, rps_median, ratio_median) VALUES (?, 'v1', 'hot', 'k', 6, 0, 100, 0.5)`, [id]);
  }
  saveDatabase(db, path);
  return path;
}

describe('bench withdraw', () => {
  it('keeps a withdrawn edition with its figures and the reason, and the book cites the edition before it', async () => {
    const path = await databaseFile();
    const cited = async () => queryRows(await openDatabase(path), 'SELECT session_id FROM cited_edition');
    expect(await cited()).toEqual([{ session_id: 2 }]);
    const line = await withdrawSession({ sessionId: 2, reason: 'steal on the pinned CPUs during capacity-mix', dbPath: path, help: false }, new Date('2026-12-06T21:30:00Z'));
    expect(line).toBe('bench: session 2 withdrawn (was complete): steal on the pinned CPUs during capacity-mix\n');
    const db = await openDatabase(path);
    expect(queryRows(db, 'SELECT session_id FROM cited_edition')).toEqual([{ session_id: 1 }]);
    const [session] = queryRows(db, 'SELECT status, settings_json FROM sessions WHERE id = 2');
    expect(session.status).toBe('withdrawn');
    expect(JSON.parse(String(session.settings_json))).toEqual({
      edition: { whole_book: true },
      withdrawn: { reason: 'steal on the pinned CPUs during capacity-mix', at: '2026-12-06T21:30:00.000Z', status_before: 'complete' },
    });
    expect(queryRows(db, 'SELECT COUNT(*) AS n FROM summaries WHERE session_id = 2')).toEqual([{ n: 1 }]);
    expect(queryRows(db, 'SELECT session_id, complete FROM edition WHERE session_id = 2')).toEqual([{ session_id: 2, complete: 0 }]);
    // the history across machines (the latest session per machine) skips it too
    expect(queryRows(db, "SELECT session_id FROM reference_ratios WHERE tag = 'v1'")).toEqual([{ session_id: 1 }]);
  });

  it('refuses a session that does not exist, is running, or is already withdrawn, and changes nothing', async () => {
    const path = await databaseFile();
    const withdraw = (sessionId: number) => withdrawSession({ sessionId, reason: 'r', dbPath: path, help: false });
    await expect(withdraw(9)).rejects.toThrow(new UsageError(`withdraw: no session 9 in ${path}`));
    await expect(withdraw(3)).rejects.toThrow(/session 3 is still running/);
    await withdraw(1);
    await expect(withdraw(1)).rejects.toThrow(new UsageError('withdraw: session 1 is already withdrawn (--amend corrects its reason)'));
    expect(queryRows(await openDatabase(path), 'SELECT id, status FROM sessions ORDER BY id')).toEqual([
      { id: 1, status: 'withdrawn' }, { id: 2, status: 'complete' }, { id: 3, status: 'running' },
    ]);
  });

  it('amends a withdrawn session\'s reason, keeping the earlier one with its time; refuses to amend one not withdrawn', async () => {
    const path = await databaseFile();
    const at = (iso: string) => new Date(iso);
    await withdrawSession({ sessionId: 1, reason: 'a disturbed host', dbPath: path, help: false }, at('2026-12-07T01:40:00Z'));
    const amend = (sessionId: number, reason: string, when: string) => withdrawSession({ sessionId, reason, dbPath: path, help: false, amend: true }, at(when));
    expect(await amend(1, 'the search itself', '2026-12-07T02:40:00Z')).toBe("bench: session 1's withdrawal amended: the search itself\n");
    await amend(1, 'the search, measured', '2026-12-07T03:00:00Z');
    const [row] = queryRows(await openDatabase(path), 'SELECT status, settings_json FROM sessions WHERE id = 1');
    expect(row.status).toBe('withdrawn');
    expect(JSON.parse(String(row.settings_json)).withdrawn).toEqual({
      reason: 'the search, measured', at: '2026-12-07T03:00:00.000Z', status_before: 'complete',
      earlier: [{ reason: 'a disturbed host', at: '2026-12-07T01:40:00.000Z' }, { reason: 'the search itself', at: '2026-12-07T02:40:00.000Z' }],
    });
    await expect(amend(2, 'x', '2026-12-07T03:00:00Z')).rejects.toThrow(new UsageError('withdraw: session 2 is not withdrawn (complete): --amend corrects a withdrawn session\'s reason'));
    expect(parseWithdrawOptions(['1', '--reason', 'r', '--amend'], '/w')).toMatchObject({ amend: true });
  });

  it('reads one session id and a reason, and explains what is missing', () => {
    expect(parseWithdrawOptions(['50', '--reason', 'steal', '--db', 'x.sqlite'], '/w')).toEqual({ sessionId: 50, reason: 'steal', dbPath: '/w/x.sqlite', help: false });
    expect(() => parseWithdrawOptions(['50'])).toThrow(new UsageError('withdraw: --reason is required: say what disturbed the session and how you know'));
    expect(() => parseWithdrawOptions(['--reason', 'x'])).toThrow(/name one session id/);
    expect(() => parseWithdrawOptions(['fifty', '--reason', 'x'])).toThrow(new UsageError('<session> must be an integer ≥ 1 (a session id), got "fifty"'));
    expect(() => parseWithdrawOptions(['50', '--bogus'])).toThrow(new UsageError('unknown option --bogus'));
  });
});
