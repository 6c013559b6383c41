/**
 * The gate's measurement, with side effects: both refs started as subjects (worktree →
 * chapter contract → simulator → server → frozen feed, bench/subject/subject.ts, the
 * bench's own feed), then alternating short runs of the `hot` scenario. Everything
 * started is registered with a Cleanup so an error or Ctrl-C leaves nothing behind.
 * Servers and load generator run on disjoint CPUs where taskset allows (bench/proc/pinning.ts).
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { simpleGit } from 'simple-git';
import { resolveCommit } from '../git/commit.ts';
import { requireTool, type LoadGenerator } from '../loadgen/index.ts';
import { machineInfo } from '../machine/fingerprint.ts';
import { pinPrefix, planPinning } from '../proc/pinning.ts';
import { scenario } from '../scenarios/index.ts';
import { measureGateCost } from '../cost/gate.ts';
import type { Cleanup } from '../subject/cleanup.ts';
import { launchSubject, prepareSubjectTree, type PreparedTree } from '../subject/subject.ts';
import { DEFAULTS, type GateCliOptions } from './args.ts';
import { alternatingPairs, plannedLoadSeconds, type Side } from './schedule.ts';
import { runFigures, type RunFigures } from '../figures/run-row.ts';
import type { GateResult, GateRevision, PairMeasurement } from './types.ts';
import { evaluateGate } from './verdict.ts';

export type GateRunOptions = Omit<GateCliOptions, 'report' | 'summary'>;

/** Resolves a ref to its commit and subject; a readable error when it is not a commit. */
export async function resolveRevision(repo: string, ref: string, role: Side): Promise<GateRevision> {
  const commit = await resolveCommit(repo, ref);
  if (commit === null) throw new Error(`--${role} ${ref} is not a commit in ${repo}`);
  const subject = (await simpleGit(repo).raw(['show', '-s', '--format=%s', commit])).trim();
  return { ref, commit, subject };
}

async function assertGitRepository(repo: string): Promise<void> {
  let isRepo = false;
  try {
    isRepo = await simpleGit(repo).checkIsRepo();
  } catch {
    isRepo = false;
  }
  if (!isRepo) throw new Error(`--repo ${repo} is not a git repository`);
}

export async function runGate(options: GateRunOptions, cleanup: Cleanup, log: (line: string) => void): Promise<GateResult> {
  const startedAt = new Date().toISOString();
  const loadAtStart = loadavg();
  const repo = resolve(options.repo);
  await assertGitRepository(repo);
  const revisions: Record<Side, GateRevision> = {
    base: await resolveRevision(repo, options.base, 'base'),
    head: await resolveRevision(repo, options.head, 'head'),
  };
  const { generator, tool } = await requireTool(options.tool, { isDefault: options.tool === DEFAULTS.tool });
  const hot = scenario('hot');
  const path = options.path ?? hot.paths[0];
  const machine = machineInfo();
  log(`gate: base ${revisions.base.ref} = ${revisions.base.commit.slice(0, 12)}, head ${revisions.head.ref} = ${revisions.head.commit.slice(0, 12)}; ${tool.name} ${tool.version}`);

  const pinning = await planPinning(options.pin ?? true);
  log(`gate: ${pinning.note}`);
  const count = options.costRequests > 0 ? `the instruction count (${options.costWindows} windows of ${options.costRequests} requests a side, after ${DEFAULTS.costWarmupWindows * options.costRequests}), then ` : '';
  log(`gate: plan: both trees prepared, ${count}${plannedLoadSeconds(options)} s of load (${options.warmupSeconds} s warm-up per server, ${options.pairs} pairs × 2 × ${options.durationSeconds} s)`);

  // Both trees, prepared with their own chapter contract (installs cached by lockfile), then both servers.
  const trees = {} as Record<Side, PreparedTree>;
  for (const side of ['base', 'head'] as const) {
    const prepared = await prepareSubjectTree(repo, revisions[side].commit, cleanup, { onLog: (line) => log(`gate: ${side}: ${line}`) });
    log(`gate: ${side} prepared (install ${prepared.installSeconds.toFixed(1)} s${prepared.installCacheHit ? ', cached' : ''}, build ${prepared.buildSeconds.toFixed(1)} s)`);
    trees[side] = prepared;
  }

  // The exact signal first: callgrind must not share the cores with the throughput runs.
  const costSettings = { paths: [path], requests: options.costRequests, windows: options.costWindows, warmupRequests: DEFAULTS.costWarmupWindows * options.costRequests };
  const cost = await measureGateCost(trees, costSettings, cleanup, log);

  const urls = {} as Record<Side, string>;
  for (const side of ['base', 'head'] as const) {
    const launched = await launchSubject(trees[side], cleanup, { wrap: pinPrefix(pinning.serverCpus) });
    urls[side] = launched.url;
    log(`gate: ${side} server ready at ${launched.url}`);
  }

  const load = (side: Side, durationSeconds: number, label: string) =>
    measure(generator, { url: urls[side], path, keepAlive: hot.keepAlive, connections: options.connections, durationSeconds, cpus: pinning.loadgenCpus ?? undefined }, `${side} ${label}`);

  if (options.warmupSeconds > 0) {
    for (const side of ['base', 'head'] as const) await load(side, options.warmupSeconds, 'warm-up');
  }

  const pairs: PairMeasurement[] = [];
  const schedule = alternatingPairs(options.pairs);
  for (const [index, order] of schedule.entries()) {
    const figures = {} as Record<Side, RunFigures>;
    for (const side of order) figures[side] = await load(side, options.durationSeconds, `run of pair ${index + 1}`);
    pairs.push({ pair: index + 1, order, base: figures.base, head: figures.head });
    const ratio = figures.head.requestsPerSecond / figures.base.requestsPerSecond;
    log(`gate: pair ${index + 1}/${schedule.length} (${order.join(' → ')}): base ${figures.base.requestsPerSecond.toFixed(0)} req/s, head ${figures.head.requestsPerSecond.toFixed(0)} req/s, head/base back to back ${ratio.toFixed(3)}`);
  }

  return {
    base: revisions.base,
    head: revisions.head,
    settings: {
      threshold: options.threshold,
      pairs: options.pairs,
      durationSeconds: options.durationSeconds,
      connections: options.connections,
      warmupSeconds: options.warmupSeconds,
      scenario: hot.name,
      path,
      tool: { name: tool.name, version: tool.version, path: tool.path },
      pinning,
      cost: 'unavailable' in cost ? null : { requests: costSettings.requests, windows: costSettings.windows, warmupRequests: costSettings.warmupRequests },
    },
    machine: {
      fingerprint: machine.fingerprint,
      cpu_model: machine.cpu_model,
      cores: machine.cores,
      memory_bytes: machine.memory_bytes,
      kernel: machine.kernel,
      os: machine.os,
      node_version: machine.node_version,
      loadAverage: { start: loadAtStart, end: loadavg() },
    },
    startedAt,
    finishedAt: new Date().toISOString(),
    pairs,
    cost,
    ...evaluateGate(pairs, options.threshold, 'unavailable' in cost ? cost : { evidence: { base: perRequest(cost.base), head: perRequest(cost.head) } }),
  };
}

const perRequest = (m: { windows: Array<{ perRequest: number }> }) => m.windows.map((w) => w.perRequest);

/** One load run of a pair, as its figures (figures/run-row.ts). */
async function measure(
  generator: LoadGenerator,
  request: { url: string; path: string; keepAlive: boolean; connections: number; durationSeconds: number; cpus?: string },
  label: string,
): Promise<RunFigures> {
  const result = await generator.run({
    url: request.url,
    paths: [request.path],
    connections: request.connections,
    durationSeconds: request.durationSeconds,
    keepAlive: request.keepAlive,
    threads: 1,
    cpus: request.cpus,
  });
  return runFigures(result, label);
}
