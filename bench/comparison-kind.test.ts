import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../cli/args.ts';
import { openDatabase, queryRows, saveDatabase } from '../db/database.ts';
import { comparisonKind, parseComparisonKindOptions } from './comparison-kind.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Two complete whole-book editions: session 1 on a Xeon, session 2 (later) on an EPYC. */
async function databaseFile(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'comparison-kind-'));
  dirs.push(dir);
  const path = join(dir, 'bench.sqlite');
  const db = await openDatabase(path, { create: true });
  for (const [fingerprint, cpu] of [['intel', 'Xeon'], ['amd', 'EPYC']]) {
    db.run(`INSERT INTO machine_info(fingerprint, cpu_model, cores, memory_bytes, kernel, os, node_version, details_json) VALUES (?, ?, 2, 1, 'k', 'linux', 'v20', '{"arch":"x64"}')`, [fingerprint, cpu]);
  }
  for (const [id, machine] of [[1, 'intel'], [2, 'amd']] as const) {
    db.run(
      `INSERT INTO sessions(id, started_at, status, harness_commit, machine_fingerprint, tool, tool_version, settings_json) VALUES (?, ?, 'complete', 'h', ?, 'wrk', '4', ?)`,
      [id, `2026-01-0${id}T00:00:00Z`, machine, JSON.stringify({ edition: { whole_book: true } })],
    );
  }
  saveDatabase(db, path);
  return path;
}

describe('bench comparison-kind', () => {
  it('names the kind whose latest complete edition the book cites, shows it, and clears it', async () => {
    const path = await databaseFile();
    const cited = async () => queryRows(await openDatabase(path), 'SELECT session_id FROM cited_edition')[0]?.session_id;
    expect(await cited()).toBe(2);
    expect(await comparisonKind({ kind: 'Xeon · 2', clear: false, dbPath: path, help: false })).toBe(
      'comparison kind: Xeon · 2\ncited machine: the edition of 2026-01-01 (session 1, Xeon)\n  EPYC · 2: 1 complete edition(s)\n  Xeon · 2: 1 complete edition(s)\n',
    );
    expect(await cited()).toBe(1);
    expect(await comparisonKind({ kind: null, clear: false, dbPath: path, help: false })).toContain('comparison kind: Xeon · 2\n');
    expect(await comparisonKind({ kind: null, clear: true, dbPath: path, help: false })).toContain('comparison kind: none named');
    expect(await cited()).toBe(2);
  });

  it('refuses a kind no machine has, naming the known ones, and a kind given with --clear', async () => {
    const path = await databaseFile();
    await expect(comparisonKind({ kind: 'Xeon', clear: false, dbPath: path, help: false })).rejects.toThrow('no machine of kind "Xeon" in');
    await expect(comparisonKind({ kind: 'Xeon', clear: false, dbPath: path, help: false })).rejects.toThrow('(known: "EPYC · 2", "Xeon · 2")');
    expect(() => parseComparisonKindOptions(['Xeon · 2', '--clear'])).toThrow(UsageError);
    expect(() => parseComparisonKindOptions(['a', 'b'])).toThrow('name one kind, quoted');
    expect(parseComparisonKindOptions(['Xeon · 2', '--db', 'x.sqlite'], '/r')).toEqual({ kind: 'Xeon · 2', clear: false, dbPath: '/r/x.sqlite', help: false });
  });
});
