import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTinyRepo as createRepo } from '../testing/tiny-repo.ts';
import { addWorktree, listWorktrees } from './worktree.ts';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
function createTinyRepo(chapters: Parameters<typeof createRepo>[0]) {
  const repo = createRepo(chapters);
  made.push(repo.dir);
  return repo;
}

describe('addWorktree', () => {
  it('checks a commit out detached and removes it completely', async () => {
    const { dir, commits } = createTinyRepo([{ tag: 'v1-a' }, { tag: 'v2-b' }]);
    const tree = await addWorktree(dir, 'v1-a');
    expect(tree.commit).toBe(commits['v1-a']);
    expect(readFileSync(join(tree.path, 'server', 'version.txt'), 'utf8')).toBe('v1-a');
    expect(await listWorktrees(dir)).toEqual([tree.path]);
    await tree.remove();
    await tree.remove(); // idempotent
    expect(existsSync(tree.path)).toBe(false);
    expect(await listWorktrees(dir)).toEqual([]);
  });

  it('accepts a full commit id and keeps two chapters apart', async () => {
    const { dir, commits } = createTinyRepo([{ tag: 'v1-a' }, { tag: 'v2-b' }]);
    const a = await addWorktree(dir, commits['v1-a']);
    const b = await addWorktree(dir, commits['v2-b']);
    expect(readFileSync(join(b.path, 'server', 'version.txt'), 'utf8')).toBe('v2-b');
    expect(a.path).not.toBe(b.path);
    await a.remove();
    await b.remove();
  });

  it('prunes a stale worktree whose directory vanished', async () => {
    const { dir } = createTinyRepo([{ tag: 'v1-a' }]);
    const stale = await addWorktree(dir, 'v1-a');
    rmSync(stale.path, { recursive: true, force: true }); // as after a killed run
    const fresh = await addWorktree(dir, 'v1-a');
    expect(await listWorktrees(dir)).toEqual([fresh.path]);
    await fresh.remove();
  });

  it('names a commit that does not exist', async () => {
    const { dir } = createTinyRepo([{ tag: 'v1-a' }]);
    await expect(addWorktree(dir, 'f'.repeat(40))).rejects.toThrow(/does not exist/);
  });
});
