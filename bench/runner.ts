/**
 * The bench runner: measures chapters for real and records everything.
 *
 * For each chapter still to measure: a git worktree at its recorded commit, the
 * server prepared through its chapter contract (install cached by lockfile hash,
 * build), its own provider simulator from the current tree (same seeded feed for
 * every chapter, frozen after the first answer), started on a free port with a
 * fresh data dir. A raw node:http reference server, fed the exact bytes of the
 * hot answer, is measured in the same rounds. Then, per scenario: one warm-up per
 * subject, and `runs` rounds in interleaved, rotated order; the database is saved
 * after every round. Everything is stopped and removed at the end, on failure, and
 * on SIGINT/SIGTERM (session marked interrupted, exit 130).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { readChapterList, type Chapter, type CommitInfo } from '../db/chapters.ts';
import { startSimulator, type Simulator } from '../simulator/index.ts';
import { prepareTree, readContract, runningServers, startServer, stopRunningCommands, type ChapterContract, type RunningServer } from './chapter/contract.ts';
import { toBencherMetricFormat, toGithubActionBenchmark } from './export.ts';
import { addWorktree, type Worktree } from './git/worktree.ts';
import { requireTool, saturationCores, type LoadGenerator, type LoadRequest, type LoadResult, type ToolInfo } from './loadgen/index.ts';
import { acquireLock } from './lock.ts';
import { machineInfo } from './machine/fingerprint.ts';
import { UsageError, type BenchOptions } from './options.ts';
import { readCpuSeconds, startCpuMonitor } from './proc/cpu.ts';
import { Progress } from './progress.ts';
import { harnessState } from './provenance.ts';
import { startReferenceServer } from './reference/reference-server.ts';
import { HOT_PATH, scenario as scenarioOf, stepHealth, SWEEP_STEPS, type Scenario, type ScenarioName } from './scenarios/index.ts';
import { interleavedOrder } from './schedule.ts';
import { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, intervalMethod } from './stats.ts';
import { BenchStore, type PreparationRecord, type RunRecord } from './store.ts';
import { summarize, type RunOutcome } from './summarize.ts';
import { formatOverheadTable, formatSummaryTable, type SummaryLine } from './report.ts';
import { REFERENCE_SUBJECT } from '../db/schema.ts';

/** The provider feed every chapter gets: generated, seeded, ~1,200 plans (~550 KB of XML). */
export const FEED = { mode: 'generated' as const, seed: 42, basePlans: 500, plansPerBase: 4, years: 3 };

/** Little's law cross-check tolerance: flag runs whose ratio is off by more than this. */
export const LITTLE_TOLERANCE = 0.2;
/** A run is "load generator was the bottleneck" when the tool used this share of the cores it can use. */
export const SATURATION_SHARE = 0.9;

export interface Subject {
  /** tag, or tag+experiment, or 'reference' */
  label: string;
  subject: string;
  experiment: string;
  commit: string | null;
  url: string;
  pid: number;
}

interface Cleanup {
  label: string;
  run: () => Promise<void> | void;
}

export interface RunnerIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
}

class Interrupted extends Error {}

/** Canonical settings of one scenario: what must match for a summary to count as "already measured". */
export function settingsKey(options: BenchOptions, sc: Scenario): string {
  const load = sc.stepped ? `steps${SWEEP_STEPS.join('-')}-p99${options.sweep.maxP99Ms}-err${options.sweep.maxErrorRate}` : `c${options.connections}`;
  const paths = createHash('sha256').update(JSON.stringify(sc.paths)).digest('hex').slice(0, 8);
  return [sc.name, options.tool, load, `d${options.durationSeconds}`, `w${options.warmupSeconds}`, `r${options.runs}`, `t${options.threads}`, sc.keepAlive ? 'ka' : 'close', `feed${FEED.seed}-${FEED.basePlans}x${FEED.plansPerBase}`, `paths${paths}`].join('|');
}

async function commitDetails(repoDir: string, chapters: Chapter[]): Promise<Map<string, CommitInfo>> {
  const git = simpleGit(repoDir);
  const details = new Map<string, CommitInfo>();
  for (const c of chapters) {
    try {
      const out = await git.raw(['show', '-s', '--format=%s%x00%an%x00%cI', c.commit]);
      const [message, author, date] = out.trim().split('\0');
      details.set(c.commit, { message, author, date });
    } catch {
      throw new Error(`chapter ${c.tag}: commit ${c.commit} (data/chapters.json) is not in ${repoDir}; fetch it first`);
    }
  }
  return details;
}

function seconds(from: number): number {
  return Math.round((performance.now() - from)) / 1000;
}

function fmtRps(v: number | null): string {
  return v === null ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

export async function runBench(options: BenchOptions, io: RunnerIO): Promise<number> {
  const progress = new Progress(io.stdout);
  const log = (line: string) => progress.line(line);

  // Everything that can be refused is refused before the database is touched.
  const { generator, tool } = await requireTool(options.tool, { isDefault: !options.toolNamed });
  const allChapters = readChapterList(join(options.repoDir, 'data', 'chapters.json'));
  let chapters = allChapters;
  if (options.chapters) {
    const unknown = options.chapters.filter((tag) => !allChapters.some((c) => c.tag === tag));
    if (unknown.length > 0) throw new UsageError(`--chapters: unknown chapter ${unknown.join(', ')} (known: ${allChapters.map((c) => c.tag).join(', ') || 'none'})`);
    chapters = allChapters.filter((c) => options.chapters!.includes(c.tag));
  }
  if (chapters.length === 0) throw new Error(`no chapters to measure: ${join(options.repoDir, 'data', 'chapters.json')} lists none`);
  const commits = await commitDetails(options.repoDir, allChapters);
  const harness = await harnessState();

  const lock = acquireLock(options.dbPath, (notice) => io.stderr.write(`bench: ${notice}\n`));
  let store: BenchStore;
  try {
    store = await BenchStore.open(options.dbPath);
  } catch (error) {
    lock.release();
    throw error;
  }
  const machine = machineInfo();
  store.recordMachine(machine);
  store.syncChapters(allChapters, commits);

  // Plan: which subject × scenario still needs measuring on this machine.
  const scenarios = options.scenarios.map(scenarioOf);
  const keys = new Map(scenarios.map((sc) => [sc.name, settingsKey(options, sc)]));
  const units = chapters.flatMap((c) => [{ chapter: c, experiment: '', args: [] as string[], env: {} as Record<string, string> }, ...(c.experiments ?? []).map((e) => ({ chapter: c, experiment: e.name, args: e.args ?? [], env: e.env ?? {} }))]);
  const unitLabel = (u: { chapter: Chapter; experiment: string }) => (u.experiment ? `${u.chapter.tag}+${u.experiment}` : u.chapter.tag);
  const plan = new Map<ScenarioName, typeof units>();
  for (const sc of scenarios) {
    const todo = units.filter((u) => options.force || !store.isMeasured(machine.fingerprint, u.chapter.tag, u.experiment, sc.name, keys.get(sc.name)!, options.runs));
    for (const u of units) if (!todo.includes(u)) log(`skip ${unitLabel(u)} / ${sc.name}: already measured on this machine with these settings (--force to re-measure)`);
    if (todo.length > 0) plan.set(sc.name, todo);
  }
  const needed = units.filter((u) => [...plan.values()].some((list) => list.includes(u)));
  if (needed.length === 0) {
    store.save();
    lock.release();
    log('nothing to measure: every chapter × scenario is already measured on this machine.');
    if (options.exportDir) writeExports(store, options.exportDir, log);
    return 0;
  }

  const startedAt = new Date().toISOString();
  const settings: Record<string, unknown> = {
    runs: options.runs,
    duration_seconds: options.durationSeconds,
    connections: options.connections,
    warmup_seconds: options.warmupSeconds,
    threads: options.threads,
    tool: options.tool,
    force: options.force,
    chapters: needed.map(unitLabel),
    scenarios: Object.fromEntries(scenarios.map((sc) => [sc.name, { settings_key: keys.get(sc.name), description: sc.description, keep_alive: sc.keepAlive, paths: sc.paths }])),
    sweep: options.scenarios.includes('sweep') ? { steps: SWEEP_STEPS, max_p99_ms: options.sweep.maxP99Ms, max_error_rate: options.sweep.maxErrorRate, step_seconds: options.durationSeconds } : undefined,
    feed: { ...FEED, note: 'one simulator per chapter, frozen after its first answer (later polls answer 503), so every chapter serves the same data' },
    order: 'per scenario: one warm-up per subject, then rounds; round r runs every subject once, order rotated by r',
    statistics: {
      confidence: 0.95,
      interval_method_for_runs: intervalMethod(options.runs),
      methods: {
        'order-statistic': 'distribution-free [x(k), x(n-k+1)] with binomial coverage >= 95% (n >= 6)',
        bootstrap: `percentile bootstrap of the median, ${BOOTSTRAP_RESAMPLES} resamples, seed ${BOOTSTRAP_SEED} (n < 6)`,
        none: 'n < 2: no interval',
      },
      cv: 'sample standard deviation / mean',
      ratio: 'paired per round: subject rps / reference rps of the same round; median and interval of those ratios',
    },
    honesty: { loadgen_saturated: `load generator CPU >= ${SATURATION_SHARE} x the cores it can use`, littles_law: `rps x mean latency / connections, flagged when off 1 by more than ${LITTLE_TOLERANCE * 100}%` },
    repo: options.repoDir,
    preparation: {} as Record<string, unknown>,
  };
  const sessionId = store.startSession({
    startedAt,
    harnessCommit: harness.commit,
    harnessDirty: harness.dirty,
    machineFingerprint: machine.fingerprint,
    tool: tool.name,
    toolVersion: tool.version,
    settings,
  });
  store.save();
  log(`session ${sessionId}: ${needed.length} chapter subject(s), scenarios ${[...plan.keys()].join(', ')}, ${options.runs} run(s) × ${options.durationSeconds} s, ${options.connections} connections, ${tool.name} ${tool.version}`);

  // Cleanup, LIFO, exactly once — on success, failure, or signal.
  const cleanups: Cleanup[] = [];
  let cleaned: Promise<void> | null = null;
  const cleanupAll = (): Promise<void> => {
    cleaned ??= (async () => {
      while (cleanups.length > 0) {
        const c = cleanups.pop()!;
        try {
          await c.run();
        } catch (error) {
          io.stderr.write(`bench: cleanup of ${c.label} failed: ${(error as Error).message}\n`);
        }
      }
    })();
    return cleaned;
  };

  let interrupted = false;
  let resolveInterrupt: () => void = () => {};
  const interruptedPromise = new Promise<void>((r) => (resolveInterrupt = r));
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) {
      // A second Ctrl-C: do not wait for a graceful cleanup. The database on disk is the last atomic save.
      io.stderr.write(`bench: ${signal} again: killing servers and exiting now\n`);
      stopRunningCommands();
      for (const server of runningServers()) {
        try {
          process.kill(-server.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      lock.release();
      process.exit(130);
    }
    interrupted = true;
    progress.clearStatus();
    io.stderr.write(`\nbench: ${signal}: stopping servers, removing worktrees, keeping what was measured…\n`);
    stopRunningCommands();
    resolveInterrupt();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  /** Races a step against an interrupt, so a Ctrl-C never waits for a 10 s load run. */
  const step = async <T>(promise: Promise<T>): Promise<T> => {
    if (interrupted) throw new Interrupted();
    const result = await Promise.race([promise, interruptedPromise.then(() => Promise.reject(new Interrupted()))]);
    if (interrupted) throw new Interrupted();
    return result as T;
  };

  const failures: string[] = [];
  const lines: SummaryLine[] = [];
  const overhead: { label: string; prep: PreparationRecord }[] = [];
  let status: 'complete' | 'failed' | 'interrupted' = 'complete';
  try {
    // 1. Prepare every chapter subject still to measure.
    const subjects: Subject[] = [];
    const trees = new Map<string, { tree: Worktree; contract: ChapterContract; worktreeSeconds: number; install: { installSeconds: number; buildSeconds: number; cacheHit: boolean } }>();
    const cacheDir = join(options.repoDir, '.cache', 'bench', 'installs');
    for (const unit of needed) {
      const label = unitLabel(unit);
      const prep: PreparationRecord = { sessionId, subject: unit.chapter.tag, experiment: unit.experiment, commitHash: unit.chapter.commit, worktreeSeconds: null, installSeconds: null, installCacheHit: null, buildSeconds: null, startSeconds: null, totalSeconds: null, status: 'ok', failure: null };
      const started = performance.now();
      try {
        let prepared = trees.get(unit.chapter.tag);
        if (!prepared) {
          log(`prepare ${unit.chapter.tag} @ ${unit.chapter.commit.slice(0, 12)}`);
          const t0 = performance.now();
          const tree = await step(addWorktree(options.repoDir, unit.chapter.commit));
          cleanups.push({ label: `worktree ${tree.path}`, run: () => tree.remove() });
          const worktreeSeconds = seconds(t0);
          const contract = readContract(tree.path);
          const install = await step(prepareTree(tree.path, contract, { cacheDir, onLog: (line) => progress.status(`${unit.chapter.tag}: ${line.trim()}`) }));
          prepared = { tree, contract, worktreeSeconds, install };
          trees.set(unit.chapter.tag, prepared);
          prep.worktreeSeconds = worktreeSeconds;
          prep.installSeconds = install.installSeconds;
          prep.installCacheHit = install.cacheHit;
          prep.buildSeconds = install.buildSeconds;
        }
        const simulator: Simulator = await step(startSimulator({ ...FEED, port: 0 }));
        cleanups.push({ label: `simulator ${simulator.url}`, run: () => simulator.close() });
        const dataDir = mkdtempSync(join(tmpdir(), 'bench-data-'));
        cleanups.push({ label: `data dir ${dataDir}`, run: () => rmSync(dataDir, { recursive: true, force: true }) });
        const t1 = performance.now();
        const server: RunningServer = await step(startServer(prepared.tree.path, prepared.contract, { providerUrl: simulator.url, dataDir, extraArgs: unit.args, env: unit.env }));
        cleanups.push({ label: `server ${label} (pid ${server.pid})`, run: () => server.stop() });
        prep.startSeconds = seconds(t1);
        // Freeze the data: from now on the provider fails, which a chapter must tolerate and keep serving.
        simulator.setFaults({ failRate: 1 });
        subjects.push({ label, subject: unit.chapter.tag, experiment: unit.experiment, commit: unit.chapter.commit, url: server.url, pid: server.pid });
        prep.totalSeconds = seconds(started);
        log(`ready ${label} on ${server.url} — overhead ${prep.totalSeconds.toFixed(2)} s (worktree ${prep.worktreeSeconds?.toFixed(2) ?? '—'}, install ${prep.installSeconds?.toFixed(2) ?? '—'}${prep.installCacheHit === null ? '' : prep.installCacheHit ? ' cached' : ' fresh'}, build ${prep.buildSeconds?.toFixed(2) ?? '—'}, start+ready ${prep.startSeconds.toFixed(2)})`);
      } catch (error) {
        if (error instanceof Interrupted) throw error;
        prep.status = 'failed';
        prep.failure = (error as Error).message;
        prep.totalSeconds = seconds(started);
        failures.push(`${label}: ${(error as Error).message}`);
        io.stderr.write(`bench: ${label} could not be prepared or started:\n${(error as Error).message}\n`);
      }
      progress.clearStatus();
      store.recordPreparation(prep);
      overhead.push({ label, prep });
      (settings.preparation as Record<string, unknown>)[label] = {
        worktree_seconds: prep.worktreeSeconds, install_seconds: prep.installSeconds, install_cache_hit: prep.installCacheHit,
        build_seconds: prep.buildSeconds, start_ready_seconds: prep.startSeconds, total_seconds: prep.totalSeconds, status: prep.status,
      };
      store.updateSessionSettings(sessionId, settings);
      store.save();
    }
    // The worktrees stay until the end: the servers run from them.

    const needsReference = scenarios.some((sc) => !sc.stepped && plan.has(sc.name));
    if (subjects.length > 0) {
      // 2. The reference server: the exact bytes and headers of the first chapter's hot answer.
      const source = subjects[0];
      let referenceSubject: Subject | null = null;
      if (needsReference) {
        const answer = await step(rawGet(source.url + HOT_PATH));
        const body = answer.body;
        if (answer.status !== 200) throw new Error(`${source.label} answered ${answer.status} to the hot search ${HOT_PATH}: ${body.toString('utf8', 0, 300)}`);
        const headers: Record<string, string> = {};
        const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date']);
        for (const [name, value] of Object.entries(answer.headers)) {
          if (!hopByHop.has(name.toLowerCase()) && value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        const reference = await step(startReferenceServer(body, headers));
        cleanups.push({ label: `reference server (pid ${reference.pid})`, run: () => reference.stop() });
        settings.reference = { source: source.label, body_bytes: body.length, body_sha256: createHash('sha256').update(body).digest('hex'), headers };
        store.updateSessionSettings(sessionId, settings);
        store.save();
        referenceSubject = { label: REFERENCE_SUBJECT, subject: REFERENCE_SUBJECT, experiment: '', commit: null, url: reference.url, pid: reference.pid };
        log(`reference server on ${reference.url}: ${body.length} bytes of ${source.label}'s hot answer`);
      }

      // 3. Scenarios, each in interleaved rounds.
      let sequence = 0;
      for (const sc of scenarios) {
        const todo = plan.get(sc.name);
        if (!todo) continue;
        const measured = subjects.filter((s) => todo.some((u) => unitLabel(u) === s.label));
        if (measured.length === 0) continue;
        // The reference is a subject of every round (not of the sweep: capacity is the chapter's own).
        const roundSubjects = sc.stepped || !referenceSubject ? measured : [referenceSubject, ...measured];
        const settingsKeyOf = keys.get(sc.name)!;
        const outcomes = new Map<string, RunOutcome[]>(roundSubjects.map((s) => [s.label, []]));
        const flags = new Map<string, Set<string>>(roundSubjects.map((s) => [s.label, new Set()]));

        const measureOnce = async (subject: Subject, round: number, connections: number, record: boolean): Promise<{ record: RunRecord | null; result: LoadResult }> => {
          const request: LoadRequest = { url: subject.url, paths: sc.paths, connections, durationSeconds: record ? options.durationSeconds : options.warmupSeconds, keepAlive: sc.keepAlive, threads: options.threads };
          const runLabel = record ? `run ${round + 1}/${options.runs}` : 'warm-up';
          progress.status(`${sc.name} · ${subject.label} · ${runLabel}${sc.stepped ? ` · ${connections} conn` : ''} · starting`);
          const cpuBefore = readCpuSeconds(subject.pid);
          const monitor = startCpuMonitor(subject.pid);
          const started = new Date().toISOString();
          let result: LoadResult;
          try {
            result = await step(generator.run(request, (s) => progress.status(`${sc.name} · ${subject.label} · ${runLabel}${sc.stepped ? ` · ${connections} conn` : ''} · ${s.second}s ${fmtRps(s.requestsPerSecond)} req/s${s.errors ? ` · ${s.errors} errors` : ''}`)));
          } catch (error) {
            monitor.stop();
            if (error instanceof Interrupted) throw error;
            result = failedResult((error as Error).message);
          }
          const cpuAfter = monitor.stop();
          if (!record) return { record: null, result };
          const serverCpu = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null;
          const cores = saturationCores(generator, request);
          const saturated = result.cpuSeconds !== null && result.wallSeconds > 0 ? result.cpuSeconds / result.wallSeconds >= SATURATION_SHARE * cores : null;
          const little = result.requestsPerSecond !== null && result.latencyUs !== null ? (result.requestsPerSecond * (result.latencyUs.avg / 1e6)) / connections : null;
          const run: RunRecord = {
            sessionId, subject: subject.subject, commitHash: subject.commit, experiment: subject.experiment, scenario: sc.name, settingsKey: settingsKeyOf,
            runIndex: round, sequence: sequence++, tool: tool.name, toolVersion: tool.version, connections, threads: options.tool === 'autocannon' ? null : options.threads,
            durationSeconds: request.durationSeconds, keepAlive: sc.keepAlive, startedAt: started, status: result.ok ? 'ok' : 'failed',
            failure: result.ok ? null : (result.failure ?? 'the load generator reported failure'), requestsPerSecond: result.requestsPerSecond,
            totalRequests: result.totalRequests, successfulRequests: result.successfulRequests, non2xx: result.non2xx, socketErrors: result.socketErrors,
            timeoutErrors: result.timeoutErrors, bytes: result.bytes, avgLatencyUs: result.latencyUs?.avg ?? null, p50LatencyUs: result.latencyUs?.p50 ?? null,
            p90LatencyUs: result.latencyUs?.p90 ?? null, p99LatencyUs: result.latencyUs?.p99 ?? null, maxLatencyUs: result.latencyUs?.max ?? null,
            serverCpuSeconds: serverCpu, loadgenCpuSeconds: result.cpuSeconds, loadgenSaturated: saturated, littlesLawRatio: little, rawOutput: result.raw,
          };
          if (interrupted) throw new Interrupted();
          store.recordRun(run, result.samples.map((s) => ({ second: s.second, requestsPerSecond: s.requestsPerSecond, p99LatencyUs: s.p99LatencyUs, errors: s.errors })));
          const f = flags.get(subject.label)!;
          if (!result.ok) f.add('failed');
          if (saturated) f.add('loadgen-bottleneck');
          if (result.non2xx + result.socketErrors + result.timeoutErrors > 0) f.add('errors');
          if (little !== null && Math.abs(little - 1) > LITTLE_TOLERANCE) f.add('littles-law');
          const errors = result.non2xx + result.socketErrors + result.timeoutErrors;
          log(
            `${sc.name} round ${round + 1}/${options.runs} ${subject.label}${sc.stepped ? ` @${connections}` : ''}: ` +
              (result.ok
                ? `${fmtRps(result.requestsPerSecond)} req/s, p99 ${result.latencyUs ? (result.latencyUs.p99 / 1000).toFixed(2) : '—'} ms` +
                  `${errors ? `, ${errors} errors/non-2xx` : ''}, cpu server ${serverCpu?.toFixed(2) ?? '—'} s / loadgen ${result.cpuSeconds?.toFixed(2) ?? '—'} s` +
                  `${saturated ? ' [load generator was the bottleneck]' : ''}${little !== null && Math.abs(little - 1) > LITTLE_TOLERANCE ? ` [Little's law off: ${little.toFixed(2)}]` : ''}`
                : `FAILED: ${run.failure}`),
          );
          return { record: run, result };
        };

        // Warm-up: once per subject and scenario, not recorded.
        if (options.warmupSeconds > 0) {
          for (const subject of roundSubjects) {
            const { result } = await measureOnce(subject, 0, options.connections, false);
            if (!result.ok) io.stderr.write(`bench: warm-up of ${subject.label} / ${sc.name} failed: ${result.failure ?? 'no successful response'}\n`);
          }
        }

        const order = interleavedOrder(roundSubjects, options.runs);
        for (let round = 0; round < options.runs; round++) {
          for (const { subject } of order.filter((o) => o.round === round)) {
            if (!sc.stepped) {
              const { record } = await measureOnce(subject, round, options.connections, true);
              outcomes.get(subject.label)!.push(toOutcome(record!, round));
              continue;
            }
            // Sweep: raise concurrency until a step is unhealthy; the last healthy step is the capacity.
            const steps: RunOutcome[] = [];
            for (const connections of SWEEP_STEPS) {
              const { record, result } = await measureOnce(subject, round, connections, true);
              const failed = result.non2xx + result.socketErrors + result.timeoutErrors;
              const health = stepHealth({ ok: result.ok, totalRequests: result.totalRequests, failedRequests: failed, p99LatencyUs: result.latencyUs?.p99 ?? null }, options.sweep);
              const outcome = { ...toOutcome(record!, round), capacity: false };
              if (!health.healthy) {
                log(`sweep ${subject.label}: ${connections} connections unhealthy (${health.reason}); capacity ${steps.length ? `${steps[steps.length - 1].connections} connections` : 'not found (the first step was unhealthy)'}`);
                outcome.status = 'failed'; // not a capacity candidate; the run row itself keeps the tool's verdict
                steps.push(outcome);
                break;
              }
              steps.push(outcome);
            }
            const healthy = steps.filter((s) => s.status === 'ok');
            if (healthy.length > 0) healthy[healthy.length - 1].capacity = true;
            if (healthy.length === SWEEP_STEPS.length) flags.get(subject.label)!.add('sweep-limit-not-reached');
            outcomes.get(subject.label)!.push(...steps);
          }
          // Summaries after every round, saved atomically: an interrupt keeps what was measured.
          const referenceRps = new Map<number, number>();
          if (!sc.stepped) for (const o of outcomes.get(REFERENCE_SUBJECT) ?? []) if (o.status === 'ok' && o.requestsPerSecond !== null) referenceRps.set(o.round, o.requestsPerSecond);
          for (const subject of roundSubjects) {
            const figures = summarize(outcomes.get(subject.label)!, subject.subject === REFERENCE_SUBJECT || sc.stepped ? undefined : referenceRps);
            store.upsertSummary({ sessionId, subject: subject.subject, experiment: subject.experiment, scenario: sc.name, settingsKey: settingsKeyOf }, figures);
          }
          if (interrupted) throw new Interrupted();
          store.save();
        }
        for (const subject of roundSubjects) {
          const failedRuns = outcomes.get(subject.label)!.filter((o) => o.status === 'failed' && o.capacity === undefined).length;
          if (failedRuns > 0) failures.push(`${subject.label} / ${sc.name}: ${failedRuns} of ${options.runs} runs failed`);
          lines.push({ label: subject.label, scenario: sc.name, subject: subject.subject, experiment: subject.experiment, flags: [...flags.get(subject.label)!] });
        }
      }
    }
    if (failures.length > 0) status = 'failed';
  } catch (error) {
    if (error instanceof Interrupted) status = 'interrupted';
    else {
      status = 'failed';
      failures.push((error as Error).message);
      io.stderr.write(`bench: ${(error as Error).message}\n`);
    }
  } finally {
    progress.clearStatus();
    await cleanupAll();
    store.updateSessionSettings(sessionId, settings);
    store.finishSession(sessionId, status);
    store.save();
    lock.release();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (status === 'interrupted') {
    // A load run cut short may still have its tool running (it would stop by itself
    // at its deadline); stop every child process of ours that is still there.
    for (const pid of childProcessesOf(process.pid)) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    io.stderr.write(`bench: interrupted; session ${sessionId} marked interrupted, measured runs kept in ${options.dbPath}\n`);
    return 130;
  }

  // Report.
  if (overhead.length > 0) io.stdout.write(`\nPer-chapter overhead outside the load (seconds):\n${formatOverheadTable(overhead)}\n`);
  if (lines.length > 0) io.stdout.write(`\nSession ${sessionId} (${machine.cpu_model}, ${machine.cores} cores, ${tool.name} ${tool.version}):\n${formatSummaryTable(store, sessionId, lines)}\n`);
  const headline = store.rows('SELECT tag, baseline_rps, improvement_percent, reference_ratio, session_id FROM versions ORDER BY chapter_number');
  if (headline.length > 0) {
    io.stdout.write('\nHeadline (hot, median req/s of the latest session that measured each chapter):\n');
    for (const h of headline) {
      const rps = h.baseline_rps as number | null;
      const imp = h.improvement_percent as number | null;
      io.stdout.write(`  ${String(h.tag).padEnd(24)} ${rps === null ? 'not measured' : `${rps.toFixed(0)} req/s${imp === null ? '' : ` (${imp >= 0 ? '+' : ''}${imp.toFixed(1)}% vs chapter 1)`}${h.reference_ratio === null ? '' : `, ${(h.reference_ratio as number).toFixed(3)} × reference`} [session ${h.session_id}]`}\n`);
    }
  }
  if (options.exportDir) writeExports(store, options.exportDir, log);
  if (failures.length > 0) {
    io.stderr.write(`\nbench: ${failures.length} failure(s):\n${failures.map((f) => `  - ${f.split('\n')[0]}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

/** Direct children of a process, from /proc (Linux). */
function childProcessesOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === parent) children.push(Number(entry));
    } catch {
      // Exited meanwhile.
    }
  }
  return children;
}

/**
 * One GET exactly as the load generators send it (no Accept-Encoding, nothing
 * decoded), so the reference server gets the very bytes a chapter serves them.
 */
function rawGet(url: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, timeout: 10_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer from ${url} within 10 s`)));
    request.on('error', reject);
  });
}

function toOutcome(r: RunRecord, round: number): RunOutcome {
  return {
    round,
    status: r.status,
    connections: r.connections,
    requestsPerSecond: r.requestsPerSecond,
    avgLatencyUs: r.avgLatencyUs,
    p50LatencyUs: r.p50LatencyUs,
    p90LatencyUs: r.p90LatencyUs,
    p99LatencyUs: r.p99LatencyUs,
    maxLatencyUs: r.maxLatencyUs,
    loadgenSaturated: r.loadgenSaturated === true,
  };
}

function failedResult(failure: string): LoadResult {
  return { ok: false, failure, requestsPerSecond: null, totalRequests: 0, successfulRequests: 0, non2xx: 0, socketErrors: 0, timeoutErrors: 0, bytes: 0, latencyUs: null, samples: [], raw: '', cpuSeconds: null, wallSeconds: 0 };
}

export function writeExports(store: BenchStore, dir: string, log: (line: string) => void): void {
  mkdirSync(dir, { recursive: true });
  const latest = store.latestSummaries();
  writeFileSync(join(dir, 'bencher.json'), `${JSON.stringify(toBencherMetricFormat(latest), null, 2)}\n`);
  writeFileSync(join(dir, 'github-action-benchmark.json'), `${JSON.stringify(toGithubActionBenchmark(latest), null, 2)}\n`);
  log(`exported ${latest.length} summaries to ${join(dir, 'bencher.json')} and ${join(dir, 'github-action-benchmark.json')}`);
}

export type { LoadGenerator, ToolInfo };
