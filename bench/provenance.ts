/** Where the harness itself stands: its commit, and whether its files are modified. */
import { fileURLToPath } from 'node:url';
import { simpleGit } from 'simple-git';

/** The repository root of this harness (bench/ lives directly under it). */
export const HARNESS_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Paths whose changes change what the bench measures or how. */
const HARNESS_PATHS = ['bench', 'db', 'simulator', 'package.json', 'package-lock.json'];

export async function harnessState(): Promise<{ commit: string; dirty: boolean }> {
  const git = simpleGit(HARNESS_ROOT);
  try {
    const commit = (await git.revparse(['HEAD'])).trim();
    const status = await git.raw(['status', '--porcelain', '--untracked-files=normal', '--', ...HARNESS_PATHS]);
    return { commit, dirty: status.trim().length > 0 };
  } catch (error) {
    throw new Error(`cannot tell the harness commit of ${HARNESS_ROOT}: ${(error as Error).message}`);
  }
}
