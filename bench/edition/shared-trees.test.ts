import { describe, expect, it } from 'vitest';
import { Cleanup } from '../subject/cleanup.ts';
import type { prepareSubjectTree, PreparedTree } from '../subject/subject.ts';
import { sharedTrees } from './shared-trees.ts';

/** A preparation that records its calls and registers a removal, as prepareSubjectTree does; `failing` commits reject. */
function fakePreparation(failing: Set<string> = new Set()) {
  const calls: string[] = [];
  const removed: string[] = [];
  const prepare: typeof prepareSubjectTree = async (_repo, commit, cleanup) => {
    calls.push(commit);
    if (failing.has(commit)) {
      failing.delete(commit);
      throw new Error(`build of ${commit} failed`);
    }
    await cleanup.add(`worktree ${commit}`, () => {
      removed.push(commit);
    });
    const tree: PreparedTree = { commit, path: `/tmp/wt-${commit}`, contract: {} as PreparedTree['contract'], worktreeSeconds: 0.4, installSeconds: 0.1, buildSeconds: 0.5, installCacheHit: false };
    return tree;
  };
  return { prepare, calls, removed };
}

describe('sharedTrees', () => {
  it('prepares a commit once for every part, the later parts paying no preparation, and removes the trees at the end', async () => {
    const fake = fakePreparation();
    const trees = sharedTrees(fake.prepare);
    const first = await trees.prepareTree('/repo', 'aaa', new Cleanup());
    const again = await trees.prepareTree('/repo', 'aaa', new Cleanup());
    await trees.prepareTree('/repo', 'bbb', new Cleanup());
    expect(fake.calls).toEqual(['aaa', 'bbb']);
    expect(first).toMatchObject({ path: '/tmp/wt-aaa', worktreeSeconds: 0.4, buildSeconds: 0.5, installCacheHit: false });
    expect(again).toMatchObject({ path: '/tmp/wt-aaa', worktreeSeconds: 0, installSeconds: 0, buildSeconds: 0, installCacheHit: true });
    expect(fake.removed).toEqual([]);
    expect(await trees.remove()).toEqual([]);
    expect(fake.removed).toEqual(['bbb', 'aaa']);
  });

  it('leaves the trees alone when a session cleans up its own part', async () => {
    const fake = fakePreparation();
    const trees = sharedTrees(fake.prepare);
    const session = new Cleanup();
    await trees.prepareTree('/repo', 'aaa', session);
    await session.run();
    expect(fake.removed).toEqual([]);
    await trees.remove();
    expect(fake.removed).toEqual(['aaa']);
  });

  it('prepares again a commit whose preparation failed', async () => {
    const fake = fakePreparation(new Set(['aaa']));
    const trees = sharedTrees(fake.prepare);
    await expect(trees.prepareTree('/repo', 'aaa', new Cleanup())).rejects.toThrow(/build of aaa failed/);
    await expect(trees.prepareTree('/repo', 'aaa', new Cleanup())).resolves.toMatchObject({ path: '/tmp/wt-aaa', installCacheHit: false });
    expect(fake.calls).toEqual(['aaa', 'aaa']);
  });
});
