/**
 * A chapter as a cost subject (side effects): its commit checked out as a worktree and
 * prepared through its chapter contract; each launch starts a provider simulator with the
 * bench's feed, the server with the given (wrapped) start command, and freezes the feed
 * once the server is ready — the same data every chapter serves in the bench.
 *
 * The server is also told to poll once a day (POLL_INTERVAL_MS, the server's own setting;
 * a chapter that does not read it ignores it and keeps retrying against the frozen
 * provider). A poll — failed or hanging — costs the server instructions at times set by
 * the wall clock, which under callgrind's ~50× slowdown on a busy machine land in some
 * windows and not others: the count would depend on the load (bench/cost/README.md).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSimulator } from '../../simulator/index.ts';
import { startServer } from '../subject/contract.ts';
import type { Cleanup } from '../subject/cleanup.ts';
import { FEED, prepareSubjectTree, type PreparedTree } from '../subject/subject.ts';
import type { CostSubject, LaunchedServer } from './measure.ts';

/** Worktree of `commit` in `repo`, prepared through its chapter contract (bench/subject/), logged; removed by `cleanup`. */
export async function prepareCommitTree(repo: string, commit: string, cleanup: Cleanup, log: (line: string) => void): Promise<PreparedTree> {
  const tree = await prepareSubjectTree(resolve(repo), commit, cleanup, { onLog: log });
  log(`prepared ${commit.slice(0, 12)} (install ${tree.installSeconds.toFixed(1)} s${tree.installCacheHit ? ', cached' : ''}, build ${tree.buildSeconds.toFixed(1)} s)`);
  return tree;
}

/** After its first poll, the server polls again in a day: no poll during the measurement. */
export const QUIET_POLLER_ENV: Record<string, string> = { POLL_INTERVAL_MS: String(24 * 3600 * 1000) };

/** Runs `undo` once, whoever asks first: the measurement's own stop or an interrupt's cleanup. */
function once(undo: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | null = null;
  return () => (done ??= undo());
}

export function chapterSubject(tree: Pick<PreparedTree, 'path' | 'contract'>, cleanup: Cleanup): CostSubject {
  return {
    start: tree.contract.start,
    async launch(start: string[], readyTimeoutMs: number): Promise<LaunchedServer> {
      const simulator = await startSimulator({ ...FEED, port: 0 });
      const dataDir = mkdtempSync(join(tmpdir(), 'cost-data-'));
      const stopProvider = once(async () => {
        await simulator.close();
        rmSync(dataDir, { recursive: true, force: true });
      });
      await cleanup.add('stop the cost provider simulator', stopProvider);
      let server;
      try {
        server = await startServer(tree.path, { ...tree.contract, start }, { providerUrl: simulator.url, dataDir, readyTimeoutMs, env: QUIET_POLLER_ENV });
      } catch (error) {
        await stopProvider();
        throw error;
      }
      const stopServer = once(() => server.stop());
      await cleanup.add(`stop the server under callgrind (pid ${server.pid})`, stopServer);
      simulator.setFaults({ failRate: 1 }); // frozen: the feed's first answer is all the server ever gets
      return {
        url: server.url,
        pid: server.pid,
        stop: async () => {
          await stopServer();
          await stopProvider();
        },
      };
    },
  };
}
