/**
 * A chapter as a cost subject: its commit checked out as a worktree and prepared through
 * its chapter contract; each launch is the bench's own (bench/subject/subject.ts: a
 * provider simulator with the bench's feed, a fresh data dir, the server, the feed frozen
 * once the server is ready — the same data every chapter serves in the bench), with the
 * start command the cost signal wraps in callgrind.
 *
 * The server is also told to poll once a day (POLL_INTERVAL_MS, the server's own setting;
 * a chapter that does not read it ignores it and keeps retrying against the frozen
 * provider). A poll — failed or hanging — costs the server instructions at times set by
 * the wall clock, which under callgrind's ~50× slowdown on a busy machine land in some
 * windows and not others: the count would depend on the load (bench/cost/README.md).
 */
import { resolve } from 'node:path';
import type { Cleanup } from '../subject/cleanup.ts';
import { launchSubject, prepareSubjectTree, type PreparedTree } from '../subject/subject.ts';
import type { CostSubject, LaunchedServer } from './measure.ts';

/** Worktree of `commit` in `repo`, prepared through its chapter contract (bench/subject/), logged; removed by `cleanup`. */
export async function prepareCommitTree(repo: string, commit: string, cleanup: Cleanup, log: (line: string) => void): Promise<PreparedTree> {
  const tree = await prepareSubjectTree(resolve(repo), commit, cleanup, { onLog: log });
  log(`prepared ${commit.slice(0, 12)} (install ${tree.installSeconds.toFixed(1)} s${tree.installCacheHit ? ', cached' : ''}, build ${tree.buildSeconds.toFixed(1)} s)`);
  return tree;
}

/** After its first poll, the server polls again in a day: no poll during the measurement. */
export const QUIET_POLLER_ENV: Record<string, string> = { POLL_INTERVAL_MS: String(24 * 3600 * 1000) };

export function chapterSubject(tree: Pick<PreparedTree, 'commit' | 'path' | 'contract'>, cleanup: Cleanup): CostSubject {
  return {
    start: tree.contract.start,
    async launch(start: string[], readyTimeoutMs: number): Promise<LaunchedServer> {
      const { url, pid, stop } = await launchSubject(tree, cleanup, { start, readyTimeoutMs, env: QUIET_POLLER_ENV });
      return { url, pid, stop };
    },
  };
}
