/**
 * Starting and stopping a subject for real: a temporary repository, its worktree, the
 * chapter contract, a simulator, the server (wrapped in taskset), one cleanup stack.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { listWorktrees } from '../git/worktree.ts';
import { planPinning } from '../proc/pinning.ts';
import { createTinyRepo } from '../testing/tiny-repo.ts';
import { Cleanup } from './cleanup.ts';
import { startSubject } from './subject.ts';

const repos: string[] = [];
afterAll(() => {
  for (const dir of repos) rmSync(dir, { recursive: true, force: true });
});

function allowedCpus(pid: number): string {
  return /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1];
}

function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('a subject', () => {
  it('starts wrapped (what the server forks inherits the CPU set), frozen, and the cleanup stack removes it all', async () => {
    // The server is a shell that forks node, as npm or a cluster would.
    const { dir, commits } = createTinyRepo([{ tag: 'v1', start: ['sh', '-c', 'node server/tiny.mjs --port "$0" & wait', '{port}'] }]);
    repos.push(dir);
    const cpus = (await planPinning(true)).serverCpus ?? allowedCpus(process.pid).split(/[,-]/)[0];
    const cleanup = new Cleanup();
    const { tree, subject } = await startSubject(dir, commits.v1, cleanup, { wrap: ['taskset', '-c', cpus] });
    try {
      expect((await fetch(`${subject.url}/search?x=1`)).status).toBe(200);
      expect(allowedCpus(subject.pid)).toBe(cpus);
      const [child] = childrenOf(subject.pid);
      expect(child).toBeGreaterThan(0);
      expect(allowedCpus(child)).toBe(cpus);
      // Frozen: the provider now fails every poll.
      expect((await fetch(`${subject.simulator.url}/api/events`)).status).toBe(503);
    } finally {
      expect(await cleanup.run()).toEqual([]);
    }
    expect(existsSync(`/proc/${subject.pid}`)).toBe(false);
    expect(existsSync(tree.path)).toBe(false);
    expect(await listWorktrees(dir)).toEqual([]);
  });

  it('can start with the feed still live and other feed options', async () => {
    const { dir, commits } = createTinyRepo([{ tag: 'v1' }]);
    repos.push(dir);
    const cleanup = new Cleanup();
    try {
      const { subject } = await startSubject(dir, commits.v1, cleanup, { freeze: false, feed: { mode: 'generated', seed: 7, basePlans: 2, plansPerBase: 1, years: 1 } });
      const answer = await fetch(`${subject.simulator.url}/api/events`);
      expect(answer.status).toBe(200);
      expect(await answer.text()).toMatch(/<\?xml|<planList|<output/);
    } finally {
      expect(await cleanup.run()).toEqual([]);
    }
  });
});
