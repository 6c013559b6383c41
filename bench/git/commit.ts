/** Resolving refs to commits: the one place bench, gate and tags ask git what a ref is. */
import { resolve } from 'node:path';
import { simpleGit } from 'simple-git';

/** The full commit id `ref` names in `repoDir` (a tag, branch or hash), or null when it names no commit. */
export async function resolveCommit(repoDir: string, ref: string): Promise<string | null> {
  try {
    const commit = (await simpleGit(resolve(repoDir)).revparse(['--verify', '--quiet', `${ref}^{commit}`])).trim();
    return /^[0-9a-f]{40}$/.test(commit) ? commit : null;
  } catch {
    return null;
  }
}
