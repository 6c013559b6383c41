/** Where the harness itself stands: its commit, whether its files are modified, and its tree. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { simpleGit } from 'simple-git';

/** The repository root of this harness (bench/ lives directly under it). */
export const HARNESS_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Paths whose changes change what the bench measures or how. */
const HARNESS_PATHS = ['bench', 'db', 'simulator', 'package.json', 'package-lock.json'];

export interface HarnessState {
  commit: string;
  dirty: boolean;
  /** harnessTreeOf(commit), null when dirty: the files that measure, not the commit's book or data. */
  tree: string | null;
}

/** The provenance fields every session starts with: when, at which harness, on which machine. */
export function sessionProvenance(harness: HarnessState, machine: { fingerprint: string }, startedAt = new Date()) {
  return {
    started_at: startedAt.toISOString(),
    harness_commit: harness.commit,
    harness_dirty: harness.dirty,
    harness_tree: harness.tree,
    machine_fingerprint: machine.fingerprint,
  };
}

export async function harnessState(): Promise<HarnessState> {
  const git = simpleGit(HARNESS_ROOT);
  try {
    const commit = (await git.revparse(['HEAD'])).trim();
    const status = await git.raw(['status', '--porcelain', '--untracked-files=normal', '--', ...HARNESS_PATHS]);
    const dirty = status.trim().length > 0;
    return { commit, dirty, tree: dirty ? null : harnessTreeOf(commit) };
  } catch (error) {
    throw new Error(`cannot tell the harness commit of ${HARNESS_ROOT}: ${(error as Error).message}`);
  }
}

/**
 * The harness paths' content at `commit` as one id: sha-256 of `git ls-tree <commit> -- <paths>`
 * (each path's object id). Commits that changed only the book, the data or the server share it:
 * an edition at each measured with the same harness. Null when git does not know the commit.
 */
export function harnessTreeOf(commit: string, root: string = HARNESS_ROOT): string | null {
  try {
    const listing = execFileSync('git', ['ls-tree', commit, '--', ...HARNESS_PATHS], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return listing.trim() === '' ? null : createHash('sha256').update(listing).digest('hex');
  } catch {
    return null;
  }
}
