/**
 * Starting and stopping a subject — one chapter commit as a running server — the one way
 * every verb does it (bench, gate, cost, verify, profile): a git worktree at the commit,
 * its chapter contract (install cached by lockfile, build), its own provider simulator from
 * the current tree, a fresh data dir, the server, and the feed frozen once the server is
 * ready. Every step that starts something registers its undo in one Cleanup stack
 * (bench/subject/cleanup.ts), so an error or a Ctrl-C leaves nothing behind; a launched
 * subject can also be stopped on its own (`stop`), once, whoever asks first.
 *
 * Two halves, because the bench runs several experiments of one chapter from one tree and
 * the cost signal starts one tree many times: prepareSubjectTree (worktree → contract →
 * install/build) and launchSubject (simulator → server → freeze).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../simulator/index.ts';
import { prepareTree, readContract, startServer, type ChapterContract, type RunningServer } from './contract.ts';
import { addWorktree } from '../git/worktree.ts';
import type { Cleanup } from './cleanup.ts';
import type { Pausable } from './pause.ts';
import { addConnlimitRule, iptablesUnavailable, KernelLimitUnavailable, type IptablesAccess } from './connlimit.ts';

/** The provider feed every chapter gets: generated, seeded, ~1,200 plans (~550 KB of XML). */
export const FEED = { mode: 'generated' as const, seed: 42, basePlans: 500, plansPerBase: 4, years: 3 };
export type FeedOptions = Omit<SimulatorOptions, 'port'>;

/** Lets a caller race each step against an interrupt (the bench) or run it as is (the gate). */
export type Guard = <T>(step: Promise<T>) => Promise<T>;
const unguarded: Guard = (step) => step;

export interface PreparedTree {
  commit: string;
  path: string;
  contract: ChapterContract;
  worktreeSeconds: number;
  installSeconds: number;
  buildSeconds: number;
  installCacheHit: boolean;
}

const secondsSince = (from: number): number => Math.round(performance.now() - from) / 1000;

/** A worktree at `commit`, prepared by its own chapter contract; removed by `cleanup`. */
export async function prepareSubjectTree(
  repoDir: string,
  commit: string,
  cleanup: Cleanup,
  options: { onLog?: (line: string) => void; guard?: Guard } = {},
): Promise<PreparedTree> {
  const guard = options.guard ?? unguarded;
  const started = performance.now();
  const tree = await guard(addWorktree(repoDir, commit));
  await cleanup.add(`worktree ${tree.path}`, () => tree.remove());
  const worktreeSeconds = secondsSince(started);
  const contract = readContract(tree.path);
  const install = await guard(prepareTree(tree.path, contract, { cacheDir: join(repoDir, '.cache', 'bench', 'installs'), onLog: options.onLog }));
  return { commit, path: tree.path, contract, worktreeSeconds, installSeconds: install.installSeconds, buildSeconds: install.buildSeconds, installCacheHit: install.cacheHit };
}

export interface LaunchOptions {
  /** The simulator's feed (default FEED). */
  feed?: FeedOptions;
  /** Freeze the data once the server is ready: later polls answer 503 (default true). */
  freeze?: boolean;
  /** A prefix that execs the server: taskset for pinning, valgrind for instruction counts. */
  wrap?: string[];
  /** A start command in place of the contract's (the cost signal's, under callgrind). */
  start?: string[];
  /** How long the server may take to answer ready (default: startServer's). */
  readyTimeoutMs?: number;
  /** An experiment's extra server arguments and environment. */
  args?: string[];
  env?: Record<string, string>;
  /** Record the server's CPU profile into this directory (the bench's --profile run). */
  profileDir?: string;
  /** An experiment's kernel connection limit on the server's port (bench/subject/connlimit.ts); `owner` names the rule. */
  connlimit?: { limit: number; owner: string; access?: IptablesAccess };
  guard?: Guard;
}

/** A launched subject; `pause` stops all its server's processes between its slices (pause.ts), `stop` continues them first. */
export interface LaunchedSubject extends Pausable {
  url: string;
  /** The server's Prometheus metrics (chapter 7 on), null for a chapter without them. */
  metricsUrl: string | null;
  pid: number;
  server: RunningServer;
  simulator: Simulator;
  /** Spawn until the ready answer. */
  startSeconds: number;
  /** Stops the server, then its simulator and data dir: once, whether this or the cleanup asks first. */
  stop(): Promise<void>;
}

/** Runs `undo` once, whoever asks first: the caller's own stop or the cleanup stack. */
function once(undo: () => Promise<void> | void): () => Promise<void> {
  let done: Promise<void> | null = null;
  return () => (done ??= Promise.resolve().then(undo));
}

/** Its own simulator, a fresh data dir, the server (wrapped if asked), then the feed frozen. */
export async function launchSubject(tree: Pick<PreparedTree, 'commit' | 'path' | 'contract'>, cleanup: Cleanup, options: LaunchOptions = {}): Promise<LaunchedSubject> {
  const guard = options.guard ?? unguarded;
  // An experiment that needs the kernel and cannot have it is not run: known before anything starts.
  const unavailable = options.connlimit ? await iptablesUnavailable(options.connlimit.access) : null;
  if (unavailable) throw new KernelLimitUnavailable(unavailable);
  const simulator = await guard(startSimulator({ ...(options.feed ?? FEED), port: 0 }));
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-data-'));
  const stopProvider = once(async () => {
    await simulator.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  await cleanup.add(`simulator ${simulator.url} and data dir ${dataDir}`, stopProvider);
  const started = performance.now();
  const contract = options.start ? { ...tree.contract, start: options.start } : tree.contract;
  let server: RunningServer;
  try {
    server = await guard(startServer(tree.path, contract, { providerUrl: simulator.url, dataDir, extraArgs: options.args, env: options.env, wrap: options.wrap, profileDir: options.profileDir, readyTimeoutMs: options.readyTimeoutMs }));
  } catch (error) {
    // A server that did not start leaves no simulator running behind it (the cost signal starts many).
    await stopProvider();
    throw error;
  }
  const stopServer = once(() => server.stop());
  await cleanup.add(`server ${tree.commit.slice(0, 12)} (pid ${server.pid})`, stopServer);
  const startSeconds = secondsSince(started);
  // One instance per subject, frozen after its first answer: every subject serves the same data
  // (a shared simulator advances per answer). A chapter must tolerate the failing polls.
  if (options.freeze ?? true) simulator.setFaults({ failRate: 1 });
  // After the freeze: a subject whose rule is refused stays idle until the session's cleanup.
  if (options.connlimit) {
    const { limit, owner, access } = options.connlimit;
    // Not raced against a Ctrl-C: a rule added after the race was lost would never be removed.
    const rule = await addConnlimitRule(server.port, limit, owner, access);
    await cleanup.add(`iptables connlimit rule on port ${server.port}`, () => rule.remove());
  }
  const stop = async () => {
    await stopServer();
    await stopProvider();
  };
  return { url: server.url, metricsUrl: server.metricsUrl, pid: server.pid, server, simulator, startSeconds, stop, pause: server.pause, resume: server.resume };
}

/** Both halves at once (the gate: one subject per commit). */
export async function startSubject(
  repoDir: string,
  commit: string,
  cleanup: Cleanup,
  options: LaunchOptions & { onLog?: (line: string) => void } = {},
): Promise<{ tree: PreparedTree; subject: LaunchedSubject }> {
  const tree = await prepareSubjectTree(repoDir, commit, cleanup, options);
  return { tree, subject: await launchSubject(tree, cleanup, options) };
}
