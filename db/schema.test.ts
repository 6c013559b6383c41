import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseChapterList, syncChapters, type Chapter } from './chapters.ts';
import { createDatabase, openDatabase, queryRows, saveDatabase, type Database } from './database.ts';
import { applySchema, BOOK_VIEWS, SCHEMA_VERSION, schemaVersionOf } from './schema.ts';

const chapters: Chapter[] = [
  { number: 1, tag: 'v1-baseline', commit: 'a'.repeat(40), title: 'Baseline', technique: 'Express', summary: 'Start' },
  { number: 2, tag: 'v2-fast', commit: 'b'.repeat(40), title: 'Fast', technique: 'node:http', summary: 'Faster' },
];

function addSession(db: Database, id: number): void {
  db.run(
    `INSERT OR IGNORE INTO machines(fingerprint, cpu_model, cores, memory_bytes, kernel, os, node_version) VALUES ('m', 'cpu', 2, 1, 'k', 'linux', 'v20')`,
  );
  db.run(
    `INSERT INTO sessions(id, started_at, harness_commit, machine_fingerprint, tool, tool_version, settings_json)
     VALUES (?, '2026-01-01T00:00:00Z', 'c', 'm', 'autocannon', '9.0.0', '{}')`,
    [id],
  );
}

function addHotSummary(db: Database, session: number, subject: string, rps: number): void {
  db.run(
    `INSERT INTO summaries(session_id, subject, scenario, settings_key, runs, failed_runs, rps_median, p99_latency_us)
     VALUES (?, ?, 'hot', 'k', 5, 0, ?, 900)`,
    [session, subject, rps],
  );
}

describe('schema', () => {
  it('creates every view books query, and re-applying it is harmless', async () => {
    const db = await createDatabase();
    applySchema(db);
    expect(schemaVersionOf(db)).toBe(SCHEMA_VERSION);
    for (const view of BOOK_VIEWS) expect(() => db.exec(`SELECT * FROM ${view}`)).not.toThrow();
  });

  it('lists unmeasured chapters with NULL figures, never a default', async () => {
    const db = await createDatabase();
    syncChapters(db, chapters);
    const rows = queryRows(db, 'SELECT tag, baseline_rps, improvement_percent FROM versions ORDER BY chapter_number');
    expect(rows).toEqual([
      { tag: 'v1-baseline', baseline_rps: null, improvement_percent: null },
      { tag: 'v2-fast', baseline_rps: null, improvement_percent: null },
    ]);
  });

  it('takes the headline from the latest session that measured the chapter', async () => {
    const db = await createDatabase();
    syncChapters(db, chapters);
    addSession(db, 1);
    addSession(db, 2);
    addHotSummary(db, 1, 'v1-baseline', 1000);
    addHotSummary(db, 1, 'v2-fast', 1500);
    addHotSummary(db, 2, 'v1-baseline', 1100);
    addHotSummary(db, 2, 'v2-fast', 2200);
    const rows = queryRows(db, 'SELECT tag, baseline_rps, improvement_percent FROM versions ORDER BY chapter_number');
    expect(rows).toEqual([
      { tag: 'v1-baseline', baseline_rps: 1100, improvement_percent: 0 },
      { tag: 'v2-fast', baseline_rps: 2200, improvement_percent: 100 },
    ]);
    const progression = queryRows(db, 'SELECT tag, previous_rps, rps_delta FROM version_progression ORDER BY chapter_number');
    expect(progression[1]).toEqual({ tag: 'v2-fast', previous_rps: 1100, rps_delta: 1100 });
    expect(queryRows(db, 'SELECT tag FROM latest_baseline')).toEqual([{ tag: 'v2-fast' }]);
  });

  it('compares with chapter 1 from another session when this session did not measure it', async () => {
    const db = await createDatabase();
    syncChapters(db, chapters);
    addSession(db, 1);
    addSession(db, 2);
    addHotSummary(db, 1, 'v1-baseline', 1000);
    addHotSummary(db, 2, 'v2-fast', 1250);
    const [v2] = queryRows(db, "SELECT improvement_percent FROM versions WHERE tag = 'v2-fast'");
    expect(v2.improvement_percent).toBe(25);
  });

  it('saves atomically and reopens the same content', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'db-'));
    const path = join(dir, 'bench.sqlite');
    const db = await createDatabase();
    syncChapters(db, chapters);
    saveDatabase(db, path);
    expect(readdirSync(dir)).toEqual(['bench.sqlite']);
    const again = await openDatabase(path);
    expect(queryRows(again, 'SELECT count(*) AS n FROM chapters')).toEqual([{ n: 2 }]);
  });

  it('refuses a missing or unreadable file with its path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'db-'));
    await expect(openDatabase(join(dir, 'none.sqlite'))).rejects.toThrow(/database not found: .*none\.sqlite/);
    writeFileSync(join(dir, 'junk.sqlite'), 'not a database at all, just text that is long enough');
    await expect(openDatabase(join(dir, 'junk.sqlite'))).rejects.toThrow(/junk\.sqlite is not a readable SQLite database/);
  });
});

describe('chapter list', () => {
  it('keeps commit details when a later sync does not know them', async () => {
    const db = await createDatabase();
    syncChapters(db, chapters, new Map([['a'.repeat(40), { message: 'first', author: 'A', date: '2026-01-01T00:00:00Z' }]]));
    syncChapters(db, chapters);
    expect(queryRows(db, "SELECT message, author FROM commits WHERE tag = 'v1-baseline'")).toEqual([{ message: 'first', author: 'A' }]);
    syncChapters(db, chapters.slice(0, 1));
    expect(queryRows(db, 'SELECT tag FROM chapters')).toEqual([{ tag: 'v1-baseline' }]);
  });

  it('names the file and entry of a bad chapter list', () => {
    expect(() => parseChapterList('{', 'x.json')).toThrow(/^x\.json: not valid JSON/);
    expect(() => parseChapterList('{"chapters":[{"number":1,"tag":"v1","commit":"abc","title":"t","technique":"t","summary":"s"}]}', 'x.json')).toThrow(
      'x.json: chapters[0]: "commit" must be a full 40-hex commit id',
    );
  });
});
