/**
 * Pausing subjects for real: tiny chapter servers whose every process keeps a thread busy
 * (TINY_BUSY, a node:cluster primary and its worker), stopped while another runs, continued,
 * and stopped for good by the cleanup stack the Ctrl-C path runs — their SIGTERM handlers
 * included. A yardstick's process tree (nginx, in the bench's own process group) too.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { treeCpuReader } from '../proc/cpu.ts';
import { processTree, statFields } from '../proc/processes.ts';
import { locateNginx, startNginxReference } from '../reference/nginx.ts';
import { createTinyRepo } from '../testing/tiny-repo.ts';
import { Cleanup } from './cleanup.ts';
import { pausable, resumeEveryPaused } from './pause.ts';
import { launchSubject, startSubject } from './subject.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The state letter of every process of a tree ('T': stopped). */
function states(pid: number): string[] {
  return processTree(pid).map((p) => statFields(readFileSync(`/proc/${p}/stat`, 'utf8'))[0]);
}

/** Whether every thread of every process of a tree is stopped (a busy thread stops a moment after its process is signalled). */
function everyThreadStopped(pid: number): boolean {
  return processTree(pid).every((p) => readdirSync(`/proc/${p}/task`).every((tid) => statFields(readFileSync(`/proc/${p}/task/${tid}/stat`, 'utf8'))[0] === 'T'));
}

/** Alive: not gone and not a zombie (an orphaned worker's may never be reaped in a container). */
function alive(pid: number): boolean {
  try {
    return !['Z', 'X'].includes(statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'))[0]);
  } catch {
    return false;
  }
}

/** Polls until `done` holds (the test's timeout bounds it): a condition on progress, not on a clock. */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await sleep(20);
}

function busyRepo(exitFile: string) {
  const repo = createTinyRepo([{ tag: 'v1', env: { TINY_WORKERS: '1', TINY_BUSY: '1', TINY_EXIT_FILE: exitFile } }]);
  dirs.push(repo.dir);
  return repo;
}

describe('a stopped subject', () => {
  it('waits for every process of the group to run its SIGTERM handler, a worker slower than its primary included', async () => {
    // Killing the group once the leader had exited cut a cluster worker's handler short (a red run under load).
    const exitFile = join(mkdtempSync(join(tmpdir(), 'stop-')), 'exits');
    const repo = createTinyRepo([{ tag: 'v1', env: { TINY_WORKERS: '1', TINY_EXIT_FILE: exitFile, TINY_WORKER_EXIT_DELAY_MS: '300' } }]);
    dirs.push(repo.dir);
    const cleanup = new Cleanup();
    const { subject } = await startSubject(repo.dir, repo.commits.v1, cleanup);
    await until(() => processTree(subject.pid).length === 2);
    const pids = processTree(subject.pid);
    expect(await cleanup.run()).toEqual([]);
    expect(readFileSync(exitFile, 'utf8').trim().split('\n').map(Number).sort()).toEqual([...pids].sort());
  });
});

describe('a paused subject', () => {
  it('uses no CPU time, in any of its processes, while another subject is loaded; continued, it runs again', async () => {
    const exitFile = join(mkdtempSync(join(tmpdir(), 'pause-')), 'exits');
    const { dir, commits } = busyRepo(exitFile);
    const cleanup = new Cleanup();
    try {
      const { tree, subject: stopped } = await startSubject(dir, commits.v1, cleanup);
      const other = await launchSubject(tree, cleanup);
      // The primary and its worker, each with a busy thread.
      await until(() => processTree(stopped.pid).length === 2);
      stopped.pause();
      // SIGSTOP takes effect a moment after kill() returns.
      await until(() => everyThreadStopped(stopped.pid));
      expect(states(stopped.pid)).toEqual(['T', 'T']);
      const stoppedCpu = treeCpuReader(stopped.pid);
      const otherCpu = treeCpuReader(other.pid);
      const before = { stopped: stoppedCpu()!, other: otherCpu()! };
      // The other subject's "slice": answered while it burns half a second of CPU.
      await until(() => otherCpu()! - before.other >= 0.5);
      expect((await fetch(`${other.url}/search?x=1`)).status).toBe(200);
      expect(stoppedCpu()).toBe(before.stopped);

      stopped.resume();
      expect(states(stopped.pid)).not.toContain('T');
      await until(() => stoppedCpu()! > before.stopped);
      expect((await fetch(`${stopped.url}/search?x=1`)).status).toBe(200);
    } finally {
      expect(await cleanup.run()).toEqual([]);
    }
  });

  it('is continued before its SIGTERM by the cleanup an interrupt runs: every process runs its handler, none is left', async () => {
    const exitFile = join(mkdtempSync(join(tmpdir(), 'pause-')), 'exits');
    const { dir, commits } = busyRepo(exitFile);
    const cleanup = new Cleanup();
    const { subject } = await startSubject(dir, commits.v1, cleanup);
    await until(() => processTree(subject.pid).length === 2);
    const pids = processTree(subject.pid);
    subject.pause();
    await until(() => everyThreadStopped(subject.pid));
    expect(await cleanup.run()).toEqual([]);
    // Exited through process.exit, not killed: the SIGTERM handler ran, so it came after a SIGCONT.
    expect(readFileSync(exitFile, 'utf8').trim().split('\n').map(Number).sort()).toEqual([...pids].sort());
    expect(pids.filter(alive)).toEqual([]);
  });

  it("is continued by resumeEveryPaused (the last Ctrl-C and the bench's exit); a yardstick's whole process tree is stopped", async () => {
    const install = locateNginx();
    expect(install, 'nginx is installed (the requirements check names nginx-light)').not.toBeNull();
    const nginx = await startNginxReference({ body: Buffer.from('ok'), headers: { 'content-type': 'text/plain' } }, install!);
    const processes = pausable({ tree: nginx.pid });
    try {
      // nginx's master and its worker: the worker is no process group leader's, it is the master's child.
      await until(() => processTree(nginx.pid).length === 2);
      processes.pause();
      processes.pause(); // a second pause changes nothing
      await until(() => everyThreadStopped(nginx.pid));
      resumeEveryPaused();
      expect(states(nginx.pid)).not.toContain('T');
      expect((await fetch(nginx.url)).status).toBe(200);
      processes.pause();
      await until(() => everyThreadStopped(nginx.pid));
    } finally {
      processes.resume();
      await nginx.stop();
    }
    expect(processTree(nginx.pid).filter(alive)).toEqual([]);
  });

  it("refuses to stop the bench's own process", () => {
    expect(() => pausable({ tree: process.pid })).toThrow(/refusing/);
  });
});
