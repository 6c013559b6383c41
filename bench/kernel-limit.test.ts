/**
 * End to end: an experiment with a kernel connection limit ("connlimit" in
 * data/chapters.json), the real CLI as a child process. As root with iptables: the rule
 * is on the subject's port while it runs and gone after — at the end and after a Ctrl-C
 * — with no process or worktree left. Elsewhere: the experiment is recorded as not run.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../db/database.ts';
import { listWorktrees } from './git/worktree.ts';
import { iptablesUnavailable } from './subject/connlimit.ts';
import { bench, processesInside } from './testing/bench-child.ts';
import { createTinyRepo } from './testing/tiny-repo.ts';

const repos: string[] = [];
afterAll(() => {
  for (const dir of repos) rmSync(dir, { recursive: true, force: true });
});

function kernelLimitRepo() {
  const repo = createTinyRepo([{ tag: 'v8-k', experiments: [{ name: 'kernel', connlimit: 1 }] }]);
  repos.push(repo.dir);
  return { ...repo, db: join(repo.dir, 'bench.sqlite') };
}

const rulesOnPort = (port: string) => spawnSync('iptables', ['-S', 'INPUT'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(`--dport ${port} `) && l.includes('perf-book:'));
const READY = /ready v8-k\+kernel on http:\/\/127\.0\.0\.1:(\d+) \(kernel limit: 1 connections\)/;

/** A bench session (worktree, two yardsticks, two subjects) took over the default 60 s on a loaded 2-core machine. */
const SESSION_TIMEOUT = 180_000;

describe('an experiment with a kernel connection limit (end to end)', () => {
  it('has its rule while it runs and none after; not root: recorded as not run', async () => {
    const { dir, db } = kernelLimitRepo();
    const unavailable = await iptablesUnavailable();
    let during: string[] = [];
    const result = await bench(['--repo', dir, '--db', db, '--scenario', 'hot', '--runs', '1', '--duration', '1', '--warmup', '0', '--settle', '0', '--connections', '4'], {
      onStdout: (text) => {
        const port = READY.exec(text)?.[1];
        if (port && during.length === 0) during = rulesOnPort(port);
      },
    });
    const database = await openDatabase(db);
    if (unavailable) {
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`not run v8-k+kernel: ${unavailable}`);
      expect(queryRows(database, 'SELECT experiment, reason FROM subjects_not_run')).toEqual([{ experiment: 'kernel', reason: unavailable }]);
    } else {
      const port = READY.exec(result.stdout)![1];
      expect(during).toEqual([expect.stringMatching(/--connlimit-above 1 .*REJECT --reject-with tcp-reset/)]);
      expect(rulesOnPort(port)).toEqual([]);
      // The run with the limit happened and was recorded (4 connections against a limit of 1: the tool saw resets).
      expect(queryRows(database, "SELECT experiment FROM runs WHERE subject = 'v8-k' ORDER BY experiment")).toEqual([{ experiment: '' }, { experiment: 'kernel' }]);
    }
    expect(await listWorktrees(dir)).toEqual([]);
    expect(processesInside(dir)).toEqual([]);
  }, SESSION_TIMEOUT);

  it('after SIGINT mid-session: exit 130, and no rule, process or worktree left behind', async () => {
    const { dir, db } = kernelLimitRepo();
    const unavailable = await iptablesUnavailable();
    let port: string | undefined;
    let sent = false;
    const result = await bench(['--repo', dir, '--db', db, '--scenario', 'hot', '--runs', '3', '--duration', '1', '--warmup', '0', '--settle', '0', '--connections', '4'], {
      onStdout: (text, child) => {
        port ??= READY.exec(text)?.[1];
        // Interrupt once the limited subject has run, while later runs are under way.
        if (!sent && /hot round 1\/3 v8-k\+kernel/.test(text)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    if (unavailable) {
      // No subject with the limit ever runs; the rest of the session ends normally.
      expect(result.stdout).toContain(`not run v8-k+kernel: ${unavailable}`);
    } else {
      expect(sent).toBe(true);
      expect(result.code).toBe(130);
      expect(port).toBeDefined();
      expect(rulesOnPort(port!)).toEqual([]);
    }
    expect(await listWorktrees(dir)).toEqual([]);
    expect(processesInside(dir)).toEqual([]);
  }, SESSION_TIMEOUT);
});
