/**
 * Git worktrees for chapters: each chapter's commit is checked out, detached, in
 * its own directory so it can be built and started beside the current tree.
 *
 * Worktrees live under `<repo>/.cache/bench/worktrees` by default (gitignored, on
 * the same filesystem as the install cache, so cached installs can be moved in by
 * rename). Stale worktrees of an earlier, killed run are pruned before adding.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { simpleGit } from 'simple-git';
import { resolveCommit } from './commit.ts';

export interface Worktree {
  path: string;
  commit: string;
  remove(): Promise<void>;
}

export function defaultWorktreeParent(repoDir: string): string {
  return join(resolve(repoDir), '.cache', 'bench', 'worktrees');
}

/**
 * Adds a detached worktree of `commit` (any commit-ish; resolved to the full id).
 * The returned `remove()` is idempotent and force-removes even a modified tree.
 */
export async function addWorktree(repoDir: string, commit: string, options: { parentDir?: string } = {}): Promise<Worktree> {
  const repo = resolve(repoDir);
  const git = simpleGit(repo);
  const fullCommit = await resolveCommit(repo, commit);
  if (fullCommit === null) throw new Error(`commit ${commit} does not exist in ${repo} (fetch it, or fix data/chapters.json)`);
  await pruneStaleWorktrees(repo);
  const parent = resolve(options.parentDir ?? defaultWorktreeParent(repo));
  mkdirSync(parent, { recursive: true });
  const path = mkdtempSync(join(parent, `${fullCommit.slice(0, 12)}-`));
  try {
    await git.raw(['worktree', 'add', '--detach', '--force', path, fullCommit]);
  } catch (error) {
    rmSync(path, { recursive: true, force: true });
    throw new Error(`git worktree add of ${fullCommit} failed: ${(error as Error).message.trim()}`);
  }
  let removed = false;
  return {
    path,
    commit: fullCommit,
    async remove() {
      if (removed) return;
      removed = true;
      try {
        await git.raw(['worktree', 'remove', '--force', '--force', path]);
      } catch {
        // Already gone or never registered: the directory removal and prune below finish the job.
      }
      rmSync(path, { recursive: true, force: true });
      await pruneStaleWorktrees(repo);
    },
  };
}

/** Forgets worktrees whose directories no longer exist (e.g. after a killed run). */
export async function pruneStaleWorktrees(repoDir: string): Promise<void> {
  if (!existsSync(repoDir)) return;
  await simpleGit(repoDir).raw(['worktree', 'prune']);
}

/** The worktree directories git currently knows of (the main tree excluded). */
export async function listWorktrees(repoDir: string): Promise<string[]> {
  const out = await simpleGit(resolve(repoDir)).raw(['worktree', 'list', '--porcelain']);
  const paths = out
    .split('\n')
    .filter((line) => line.startsWith('worktree '))
    .map((line) => line.slice('worktree '.length));
  return paths.slice(1);
}
