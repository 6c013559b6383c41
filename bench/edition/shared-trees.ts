/**
 * The chapters' trees an edition prepares once for all its parts. A worktree, its cached
 * install and its build depend on the commit alone, and every launch gets a data directory
 * of its own (bench/subject/subject.ts), so a server started from a tree an earlier part used
 * starts as from a new one. Until edition 48 each part prepared its chapters again
 * (bench/README.md, "Editions": what it saved). The trees are removed when the edition ends,
 * interrupted or not.
 */
import { Cleanup } from '../subject/cleanup.ts';
import { prepareSubjectTree, type PreparedTree } from '../subject/subject.ts';

export interface SharedTrees {
  /** prepareSubjectTree's signature; the session's cleanup is not the tree's: the edition removes it. */
  prepareTree: typeof prepareSubjectTree;
  /** Removes every tree prepared (idempotent); the failures as messages. */
  remove(): Promise<string[]>;
}

/** A tree prepared before is handed out again with no preparation time of its own (0 s, the install a cache hit). */
export function sharedTrees(prepare: typeof prepareSubjectTree = prepareSubjectTree): SharedTrees {
  const cleanup = new Cleanup();
  const trees = new Map<string, Promise<PreparedTree>>();
  return {
    prepareTree: async (repoDir, commit, _sessionCleanup, options) => {
      const key = `${repoDir}\0${commit}`;
      const known = trees.get(key);
      if (known) return { ...(await known), worktreeSeconds: 0, installSeconds: 0, buildSeconds: 0, installCacheHit: true };
      const prepared = prepare(repoDir, commit, cleanup, options);
      trees.set(key, prepared);
      // A preparation that failed or was interrupted is tried again by the next part that needs it.
      prepared.catch(() => trees.delete(key));
      return prepared;
    },
    remove: () => cleanup.run(),
  };
}
