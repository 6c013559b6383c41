/**
 * `npm run bench -- --merge`, the real CLI (this run's bundle of it, testing/cli-bundle.ts) as a
 * child process on real database files.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../db/database.ts';
import { BenchStore } from './store.ts';
import { bundledCommand } from './testing/cli-bundle.ts';

const tmp = mkdtempSync(join(tmpdir(), 'bench-merge-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function bench(...args: string[]) {
  return spawnSync(process.execPath, [...bundledCommand('bench/cli.ts'), ...args], { cwd: tmp, encoding: 'utf8', timeout: 60_000 });
}

/** A machine's file holding one finished session. */
async function machineFile(name: string, startedAt: string): Promise<string> {
  const path = join(tmp, `bench-${name}.sqlite`);
  const store = await BenchStore.open(path);
  store.recordMachine({ fingerprint: `fp-${name}`, cpu_model: `${name} CPU`, cores: 4, memory_bytes: 8e9, kernel: '6.8', os: 'linux', node_version: 'v20.19.0', details_json: '{}' });
  const session = store.startSession({ started_at: startedAt, harness_commit: 'c'.repeat(40), harness_dirty: false, machine_fingerprint: `fp-${name}`, tool: 'wrk', tool_version: '4.1.0', settings: {} });
  store.finishSession(session, 'complete');
  store.save();
  return path;
}

describe('bench --merge', () => {
  it('merges the files named after --merge into --db, and a second time adds nothing', async () => {
    await machineFile('ubuntu-24.04', '2026-11-01T10:00:00.000Z');
    await machineFile('ubuntu-24.04-arm', '2026-11-01T10:00:00.000Z');
    const first = bench('--merge', 'bench-ubuntu-24.04.sqlite', 'bench-ubuntu-24.04-arm.sqlite', '--db', 'merged.sqlite');
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout.split('\n')).toEqual([
      `merged ${join(tmp, 'bench-ubuntu-24.04.sqlite')}: 1 session added from fp-ubuntu-24.04 (ubuntu-24.04 CPU, 4 cores), 0 already there; rows: machine_info 1`,
      `merged ${join(tmp, 'bench-ubuntu-24.04-arm.sqlite')}: 1 session added from fp-ubuntu-24.04-arm (ubuntu-24.04-arm CPU, 4 cores), 0 already there; rows: machine_info 1`,
      `saved ${join(tmp, 'merged.sqlite')}`,
      '',
    ]);
    const again = bench('--merge', 'bench-ubuntu-24.04.sqlite', '--db', 'merged.sqlite');
    expect(again.stdout).toContain(`merged ${join(tmp, 'bench-ubuntu-24.04.sqlite')}: 0 sessions added, 1 already there\n`);
    const db = await openDatabase(join(tmp, 'merged.sqlite'));
    expect(queryRows(db, 'SELECT machine_fingerprint FROM sessions ORDER BY machine_fingerprint')).toEqual([
      { machine_fingerprint: 'fp-ubuntu-24.04' },
      { machine_fingerprint: 'fp-ubuntu-24.04-arm' },
    ]);
  });

  it('fails readably on a missing file and leaves the target untouched', () => {
    const run = bench('--merge', 'bench-ubuntu-24.04.sqlite', 'nowhere.sqlite', '--db', 'untouched.sqlite');
    expect(run.status).toBe(1);
    expect(existsSync(join(tmp, 'untouched.sqlite'))).toBe(false);
    expect(run.stderr).toBe(`bench: database not found: ${join(tmp, 'nowhere.sqlite')}\n`);
    expect(bench('--merge', 'merged.sqlite', '--db', 'merged.sqlite').stderr).toMatch(/^bench: --merge: .*merged.sqlite is the target database itself \(--db\)\n/);
  });
});
