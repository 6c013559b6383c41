import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock, LockedError } from './lock.ts';

describe('acquireLock', () => {
  it('refuses a second holder while the first lives, and frees on release', () => {
    const db = join(mkdtempSync(join(tmpdir(), 'bench-lock-')), 'bench.sqlite');
    const lock = acquireLock(db);
    expect(readFileSync(`${db}.lock`, 'utf8').trim()).toBe(String(process.pid));
    expect(() => acquireLock(db)).toThrow(LockedError);
    expect(() => acquireLock(db)).toThrow(/another bench is already running .* \(pid \d+\)/);
    lock.release();
    expect(existsSync(`${db}.lock`)).toBe(false);
    acquireLock(db).release();
  });

  it('takes over the lock of a dead process, with a notice', () => {
    const db = join(mkdtempSync(join(tmpdir(), 'bench-lock-')), 'bench.sqlite');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(`${db}.lock`, dead.stdout);
    const notices: string[] = [];
    const lock = acquireLock(db, (m) => notices.push(m));
    expect(notices[0]).toMatch(new RegExp(`stale lock .* of pid ${dead.stdout}`));
    lock.release();
  });
});
