/**
 * The bench runner: measures chapters for real and records everything.
 *
 * For each chapter still to measure, a subject (bench/subject/subject.ts): a git
 * worktree at its recorded commit, prepared through its chapter contract, its own
 * provider simulator (same seeded feed for every chapter, frozen after the first
 * answer), started on a free port with a fresh data dir. A raw node:http reference
 * server, fed the exact bytes of the hot answer, is measured in the same rounds of the
 * scenarios that compare to it. Servers and load generator run on disjoint CPUs where
 * taskset allows (bench/proc/pinning.ts). Then, per scenario module
 * (bench/scenarios/module.ts): one warm-up per subject, and `runs` rounds in
 * interleaved, rotated order; the database is saved after every round. Everything is
 * stopped and removed at the end, on failure, and on SIGINT/SIGTERM (session marked
 * interrupted, exit 130).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chapterCommitDetails, readChapterList, type Chapter, type CommitInfo } from '../../db/chapters.ts';
import { NGINX_SUBJECT, NOT_RUN, REFERENCE_SUBJECT } from '../../db/schema.ts';
import { toBencherMetricFormat, toGithubActionBenchmark } from '../export.ts';
import { requireTool, type LoadGenerator, type LoadRequest, type LoadResult, type ToolInfo } from '../loadgen/index.ts';
import { acquireLock, type Lock } from '../lock.ts';
import { machineInfo, type MachineInfo } from '../machine/fingerprint.ts';
import { UsageError } from '../../cli/args.ts';
import type { BenchOptions } from '../options.ts';
import { startCpuMonitor, treeCpuReader } from '../proc/cpu.ts';
import { fetchServerReport, treePeakRssBytes } from '../subject/server-report.ts';
import { pinPrefix, planPinning, usableCpus, type CpuPlan } from '../proc/pinning.ts';
import { createCpuQuota, type CpuQuota } from '../proc/cpu-quota.ts';
import { Progress } from './progress.ts';
import { harnessState } from '../provenance.ts';
import { startYardsticks } from '../reference/yardsticks.ts';
import { formatOverheadTable, formatSummaryTable, type SummaryLine } from './report.ts';
import { describeRun, failedResult, flagRun, fmtRps, LITTLE_TOLERANCE, outcomeOf, runRow, SATURATION_SHARE } from '../figures/run-row.ts';
import { HOT_PATH } from '../scenarios/index.ts';
import { formatTable } from '../profile/format.ts';
import type { ProfileRow } from '../profile/reduce.ts';
import { PROFILE_TOP, profiledRun } from '../profile/run.ts';
import { toDbRows } from '../profile/schema.ts';
import type { LoadShape, Measured, OwnProvider, RoundContext, ScenarioModule } from '../scenarios/module.ts';
import { scenarioModules } from '../scenarios/registry.ts';
import { interleavedOrder } from './schedule.ts';
import { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, intervalMethod } from '../stats/descriptive.ts';
import { BenchStore, type PreparationRow, type RunRow } from '../store.ts';
import { Interrupted, stopChildProcesses, watchSignals, type SignalWatch } from './interrupt.ts';
import { Cleanup } from '../subject/cleanup.ts';
import { gaugeReader, scrape } from '../metrics/scrape.ts';
import { FEED, launchSubject, prepareSubjectTree, type LaunchOptions, type PreparedTree } from '../subject/subject.ts';
import { cleanLeftoverRules, iptablesUnavailable, KernelLimitUnavailable, type IptablesAccess } from '../subject/connlimit.ts';
import type { Simulator } from '../../simulator/index.ts';
import { yardstickRatio, type RunOutcome } from '../figures/summarize.ts';

/** The subjects that are yardsticks (bench/reference/yardsticks.ts): every subject of their rounds gets a ratio to each. */
const YARDSTICK_SUBJECTS: readonly string[] = [REFERENCE_SUBJECT, NGINX_SUBJECT];

export { FEED };

export { LITTLE_TOLERANCE, SATURATION_SHARE };

export interface Subject {
  /** tag, or tag+experiment, or 'reference' */
  label: string;
  subject: string;
  experiment: string;
  commit: string | null;
  url: string;
  pid: number;
  /** How a chapter subject was launched, so --profile or a scenario with its own provider can start another instance of it (none for the reference). */
  source?: { tree: PreparedTree; args: string[]; env: Record<string, string>; connlimit: LaunchOptions['connlimit'] };
  /** The subject's simulator, when a scenario may steer it (ScenarioModule.ownProvider). */
  simulator?: Simulator;
  /** The server's Prometheus metrics (chapter contract "metrics"), when it has them. */
  metricsUrl?: string | null;
}

export interface RunnerIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
}

/** What a caller may plug in (tests: a fake scenario module, an iptables that is not the system's). */
export interface RunnerDeps {
  scenarios?: Map<string, ScenarioModule>;
  iptables?: IptablesAccess;
}

/** Canonical settings of one scenario: what must match for a summary to count as "already measured". */
export function settingsKey(options: BenchOptions, module: ScenarioModule, pinning: CpuPlan): string {
  const cpus = pinning.serverCpus === null ? 'unpinned' : `cpus${pinning.serverCpus}|${pinning.loadgenCpus}`;
  return [
    module.name,
    options.tool,
    ...module.settingsKeyParts(options),
    `d${options.durationSeconds}`,
    `w${options.warmupSeconds}`,
    `r${options.runs}`,
    `t${options.threads}`,
    `feed${FEED.seed}-${FEED.basePlans}x${FEED.plansPerBase}`,
    cpus,
    ...(options.serverCpuQuota === null ? [] : [`quota${options.serverCpuQuota}`]),
  ].join('|');
}

/** One chapter (or one of its experiments) to measure. */
interface Unit {
  chapter: Chapter;
  experiment: string;
  args: string[];
  env: Record<string, string>;
  /** The experiment's kernel connection limit, if any. */
  connlimit: number | null;
  label: string;
}

/** Everything decided before the database is touched. */
interface Request {
  generator: LoadGenerator;
  tool: ToolInfo;
  allChapters: Chapter[];
  units: Unit[];
  commits: Map<string, CommitInfo>;
  harness: { commit: string; dirty: boolean };
  pinning: CpuPlan;
  modules: ScenarioModule[];
  keys: Map<string, string>;
}

/** A session under way: what every step of it reads and appends to. */
interface Session {
  /** Prefix of every server's command: the CPU quota group (if any), then the pinning. */
  serverWrap: string[];
  /** How many cores' worth of CPU time a server can use: its quota, else its CPU set, else the machine. */
  serverCores: number;
  options: BenchOptions;
  io: RunnerIO;
  request: Request;
  store: BenchStore;
  machine: MachineInfo;
  id: number;
  settings: Record<string, unknown>;
  progress: Progress;
  log: (line: string) => void;
  cleanup: Cleanup;
  signals: SignalWatch;
  sequence: number;
  failures: string[];
  lines: SummaryLine[];
  overhead: { label: string; prep: PreparationRow }[];
  /** The --profile tables of this session, for the report. */
  profiles: { label: string; scenario: string; rows: ProfileRow[] }[];
  /** How experiments with a kernel connection limit reach iptables (undefined: the system's). */
  iptables?: IptablesAccess;
}

/** Each chapter's commit details; a chapter whose commit `repoDir` lacks is an error. */
/** Everything that can be refused is refused here, before the database is touched. */
async function checkRequest(options: BenchOptions, registry: Map<string, ScenarioModule>): Promise<Request> {
  const { generator, tool } = await requireTool(options.tool, { isDefault: !options.toolNamed });
  const listFile = join(options.repoDir, 'data', 'chapters.json');
  const allChapters = readChapterList(listFile);
  let chapters = allChapters;
  if (options.chapters) {
    const unknown = options.chapters.filter((tag) => !allChapters.some((c) => c.tag === tag));
    if (unknown.length > 0) throw new UsageError(`--chapters: unknown chapter ${unknown.join(', ')} (known: ${allChapters.map((c) => c.tag).join(', ') || 'none'})`);
    chapters = allChapters.filter((c) => options.chapters!.includes(c.tag));
  }
  if (chapters.length === 0) throw new Error(`no chapters to measure: ${listFile} lists none`);
  const modules = options.scenarios.map((name) => {
    const module = registry.get(name);
    if (!module) throw new UsageError(`--scenario: unknown scenario "${name}" (known: ${[...registry.keys()].join(', ')})`);
    return module;
  });
  const pinning = await planPinning(options.pin);
  const units = chapters.flatMap((chapter): Unit[] => [
    { chapter, experiment: '', args: [], env: {}, connlimit: null, label: chapter.tag },
    ...(chapter.experiments ?? []).map((e) => ({ chapter, experiment: e.name, args: e.args ?? [], env: e.env ?? {}, connlimit: e.connlimit ?? null, label: `${chapter.tag}+${e.name}` })),
  ]);
  return {
    generator,
    tool,
    allChapters,
    units,
    commits: chapterCommitDetails(options.repoDir, allChapters),
    harness: await harnessState(),
    pinning,
    modules,
    keys: new Map(modules.map((m) => [m.name, settingsKey(options, m, pinning)])),
  };
}

/** Which subject × scenario still needs measuring on this machine. */
function planWork(options: BenchOptions, request: Request, store: BenchStore, fingerprint: string, log: (line: string) => void): Map<string, Unit[]> {
  const plan = new Map<string, Unit[]>();
  for (const module of request.modules) {
    const key = request.keys.get(module.name)!;
    const todo = request.units.filter((u) => options.force || !store.isMeasured(fingerprint, u.chapter.tag, u.experiment, module.name, key, options.runs));
    for (const u of request.units) if (!todo.includes(u)) log(`skip ${u.label} / ${module.name}: already measured on this machine with these settings (--force to re-measure)`);
    if (todo.length > 0) plan.set(module.name, todo);
  }
  return plan;
}

function sessionSettings(options: BenchOptions, request: Request, needed: Unit[], quota: CpuQuota | null): Record<string, unknown> {
  return {
    runs: options.runs,
    duration_seconds: options.durationSeconds,
    connections: options.connections,
    warmup_seconds: options.warmupSeconds,
    threads: options.threads,
    tool: options.tool,
    force: options.force,
    chapters: needed.map((u) => u.label),
    scenarios: Object.fromEntries(request.modules.map((m) => [m.name, { settings_key: request.keys.get(m.name), ...m.settings(options) }])),
    feed: { ...FEED, note: 'one simulator per chapter, frozen after its first answer (later polls answer 503), so every chapter serves the same data' },
    pinning: { method: 'taskset -c (util-linux), inherited by what the server forks', server_cpus: request.pinning.serverCpus, loadgen_cpus: request.pinning.loadgenCpus, note: request.pinning.note },
    server_cpu_quota: quota === null ? null : { fraction: quota.fraction, period_us: quota.periodMicros, quota_us: quota.quotaMicros, method: quota.method, note: 'every server of the session (chapters and reference) ran in this cgroup: a smaller machine than this one' },
    order: 'per scenario: one warm-up per subject, then rounds; round r runs every subject once, order rotated by r (two subjects: reference, chapter, chapter, reference, …); hot, mix and close settle each subject with settle_seconds of unrecorded load right before each measured run',
    statistics: {
      confidence: 0.95,
      interval_method_for_runs: intervalMethod(options.runs),
      methods: {
        'order-statistic': 'distribution-free [x(k), x(n-k+1)] with binomial coverage >= 95% (n >= 6)',
        bootstrap: `percentile bootstrap of the median, ${BOOTSTRAP_RESAMPLES} resamples, seed ${BOOTSTRAP_SEED} (n < 6)`,
        none: 'n < 2: no interval',
      },
      cv: 'sample standard deviation / mean',
      ratio: 'paired by moment (bench/stats/paired-ratio.ts): each successful subject run / the reference rps at its position in the session order (log-linear between the nearest successful reference runs before and after it, the nearer one at the ends); median, interval (same methods) and CV of those ratios; none when a run of either was load-generator bound',
    },
    honesty: { loadgen_saturated: `load generator CPU >= ${SATURATION_SHARE} x the cores it can use, while server CPU < ${SATURATION_SHARE} x its cores (CPU set or quota)`, littles_law: `rps x mean latency / connections, flagged when off 1 by more than ${LITTLE_TOLERANCE * 100}%` },
    repo: options.repoDir,
    profile: options.profile
      ? { method: 'node --cpu-prof, one extra run per chapter subject × scenario after the measured rounds (a fresh server, warm-up, then the scenario\'s round); not a measurement, its throughput is not stored; table of the load window only', top: PROFILE_TOP }
      : null,
    preparation: {} as Record<string, unknown>,
  };
}

export async function runBench(options: BenchOptions, io: RunnerIO, deps: RunnerDeps = {}): Promise<number> {
  const progress = new Progress(io.stdout);
  const log = (line: string) => progress.line(line);
  const request = await checkRequest(options, deps.scenarios ?? scenarioModules());
  const { store, lock, machine } = await openStore(options, io, request);
  const plan = planWork(options, request, store, machine.fingerprint, log);
  const needed = request.units.filter((u) => [...plan.values()].some((list) => list.includes(u)));
  if (needed.length === 0) {
    store.save();
    lock.release();
    log('nothing to measure: every chapter × scenario is already measured on this machine.');
    if (options.exportDir) writeExports(store, options.exportDir, log);
    return 0;
  }
  let quota: CpuQuota | null = null;
  try {
    quota = options.serverCpuQuota === null ? null : createCpuQuota(options.serverCpuQuota, `perf-book-bench-${process.pid}`);
  } catch (error) {
    store.save();
    lock.release();
    throw error;
  }
  const settings = sessionSettings(options, request, needed, quota);
  const id = startSessionRow(store, request, machine, settings);
  log(`session ${id}: ${needed.length} chapter subject(s), scenarios ${[...plan.keys()].join(', ')}, ${options.runs} run(s) × ${options.durationSeconds} s, ${options.connections} connections, ${request.tool.name} ${request.tool.version}`);
  log(request.pinning.note);
  if (quota) log(`servers under a CPU quota of ${quota.fraction} of one CPU (${quota.method})`);
  const session: Session = {
    serverWrap: [...(quota?.prefix ?? []), ...pinPrefix(request.pinning.serverCpus)],
    serverCores: Math.min(quota?.fraction ?? Infinity, usableCpus(request.pinning.serverCpus)),
    options, io, request, store, machine, id, settings, progress, log,
    cleanup: new Cleanup(),
    signals: watchSignals(io, progress, lock),
    sequence: 0,
    failures: [],
    lines: [],
    overhead: [],
    profiles: [],
    iptables: deps.iptables,
  };
  // Added first, so it runs last: after every server in the group has stopped.
  if (quota) await session.cleanup.add('remove the servers\' CPU quota group', () => quota.remove());
  const status = await runSession(session, plan, needed, lock);
  if (status === 'interrupted') {
    stopChildProcesses();
    io.stderr.write(`bench: interrupted; session ${id} marked interrupted, measured runs kept in ${options.dbPath}\n`);
    return 130;
  }
  report(session);
  if (options.exportDir) writeExports(store, options.exportDir, log);
  if (session.failures.length > 0) {
    io.stderr.write(`\nbench: ${session.failures.length} failure(s):\n${session.failures.map((f) => `  - ${f.split('\n')[0]}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

/** The lock, the database, this machine and the chapter list recorded. */
async function openStore(options: BenchOptions, io: RunnerIO, request: Request): Promise<{ store: BenchStore; lock: Lock; machine: MachineInfo }> {
  const lock = acquireLock(options.dbPath, (notice) => io.stderr.write(`bench: ${notice}\n`));
  let store: BenchStore;
  try {
    store = await BenchStore.open(options.dbPath);
  } catch (error) {
    lock.release();
    throw error;
  }
  const machine = machineInfo();
  store.prepareForSession(machine, request.allChapters, request.commits, (notice) => io.stderr.write(`bench: ${notice}\n`));
  return { store, lock, machine };
}

function startSessionRow(store: BenchStore, request: Request, machine: MachineInfo, settings: Record<string, unknown>): number {
  const id = store.startSession({
    started_at: new Date().toISOString(),
    harness_commit: request.harness.commit,
    harness_dirty: request.harness.dirty,
    machine_fingerprint: machine.fingerprint,
    tool: request.tool.name,
    tool_version: request.tool.version,
    server_cpus: request.pinning.serverCpus,
    loadgen_cpus: request.pinning.loadgenCpus,
    pinning_note: request.pinning.note,
    settings,
  });
  store.save();
  return id;
}

/** Measures, then always: stops and removes everything, records how the session ended, saves, unlocks. */
async function runSession(session: Session, plan: Map<string, Unit[]>, needed: Unit[], lock: Lock): Promise<'complete' | 'failed' | 'interrupted'> {
  const { io, store } = session;
  let status: 'complete' | 'failed' | 'interrupted' = 'complete';
  try {
    await measureSession(session, plan, needed);
    if (session.failures.length > 0) status = 'failed';
  } catch (error) {
    if (error instanceof Interrupted) status = 'interrupted';
    else {
      status = 'failed';
      session.failures.push((error as Error).message);
      io.stderr.write(`bench: ${(error as Error).message}\n`);
    }
  } finally {
    session.progress.clearStatus();
    for (const failure of await session.cleanup.run()) io.stderr.write(`bench: cleanup of ${failure}\n`);
    store.updateSessionSettings(session.id, session.settings);
    store.finishSession(session.id, status);
    store.save();
    lock.release();
    session.signals.dispose();
  }
  return status;
}

/** Subjects, the reference where a scenario compares to it, then every planned scenario. */
async function measureSession(session: Session, plan: Map<string, Unit[]>, needed: Unit[]): Promise<void> {
  const subjects = await prepareSubjects(session, needed);
  // The worktrees stay until the end: the servers run from them.
  if (subjects.length === 0) return;
  const needsReference = session.request.modules.some((m) => m.comparesToReference && plan.has(m.name));
  const references = needsReference ? await startReferences(session, subjects[0]) : [];
  for (const module of session.request.modules) {
    const todo = plan.get(module.name);
    if (!todo) continue;
    const measured = subjects.filter((s) => todo.some((u) => u.label === s.label));
    if (measured.length === 0) continue;
    const own = module.ownProvider ? await relaunchedSubjects(session, module, module.ownProvider(session.options), measured) : measured;
    const roundSubjects = module.comparesToReference ? [...references, ...own] : own;
    await runScenario(session, module, roundSubjects);
    if (session.options.profile) await profileScenario(session, module, measured);
  }
}

/** Every chapter subject still to measure, started; a subject that fails is reported and skipped. */
async function prepareSubjects(session: Session, needed: Unit[]): Promise<Subject[]> {
  const { store, options, cleanup, signals } = session;
  if (needed.some((u) => u.connlimit !== null)) await cleanLeftovers(session);
  const subjects: Subject[] = [];
  const trees = new Map<string, PreparedTree>();
  for (const unit of needed) {
    const prep: PreparationRow = {
      session_id: session.id, subject: unit.chapter.tag, experiment: unit.experiment, commit_hash: unit.chapter.commit, worktree_seconds: null, install_seconds: null,
      install_cache_hit: null, build_seconds: null, start_seconds: null, total_seconds: null, status: 'ok', failure: null,
    };
    const started = performance.now();
    try {
      let tree = trees.get(unit.chapter.tag);
      if (!tree) {
        session.log(`prepare ${unit.chapter.tag} @ ${unit.chapter.commit.slice(0, 12)}`);
        tree = await prepareSubjectTree(options.repoDir, unit.chapter.commit, cleanup, { guard: signals.guard, onLog: (line) => session.progress.status(`${unit.chapter.tag}: ${line.trim()}`) });
        trees.set(unit.chapter.tag, tree);
        Object.assign(prep, { worktree_seconds: tree.worktreeSeconds, install_seconds: tree.installSeconds, install_cache_hit: tree.installCacheHit ? 1 : 0, build_seconds: tree.buildSeconds });
      }
      const connlimit = unit.connlimit === null ? undefined : { limit: unit.connlimit, owner: `session-${session.id}`, access: session.iptables };
      const launched = await launchSubject(tree, cleanup, { args: unit.args, env: unit.env, connlimit, wrap: session.serverWrap, guard: signals.guard });
      prep.start_seconds = launched.startSeconds;
      prep.total_seconds = Math.round(performance.now() - started) / 1000;
      subjects.push({
        label: unit.label, subject: unit.chapter.tag, experiment: unit.experiment, commit: unit.chapter.commit, url: launched.url, pid: launched.pid,
        metricsUrl: launched.metricsUrl, source: { tree, args: unit.args, env: unit.env, connlimit },
      });
      session.log(`ready ${unit.label} on ${launched.url}${connlimit ? ` (kernel limit: ${connlimit.limit} connections)` : ''} — overhead ${describePreparation(prep)}`);
    } catch (error) {
      if (error instanceof Interrupted) throw error;
      if (error instanceof KernelLimitUnavailable) {
        // Not a failure of the session: recorded as not run, with the reason, for the book to say so.
        prep.status = NOT_RUN;
        prep.failure = error.message;
        session.log(`not run ${unit.label}: ${error.message}`);
      } else {
        prep.status = 'failed';
        prep.failure = (error as Error).message;
        session.failures.push(`${unit.label}: ${(error as Error).message}`);
        session.io.stderr.write(`bench: ${unit.label} could not be prepared or started:\n${(error as Error).message}\n`);
      }
      prep.total_seconds = Math.round(performance.now() - started) / 1000;
    }
    session.progress.clearStatus();
    store.recordPreparation(prep);
    session.overhead.push({ label: unit.label, prep });
    (session.settings.preparation as Record<string, unknown>)[unit.label] = {
      worktree_seconds: prep.worktree_seconds, install_seconds: prep.install_seconds, install_cache_hit: prep.install_cache_hit === null ? null : prep.install_cache_hit === 1,
      build_seconds: prep.build_seconds, start_ready_seconds: prep.start_seconds, total_seconds: prep.total_seconds, status: prep.status,
    };
    store.updateSessionSettings(session.id, session.settings);
    store.save();
  }
  return subjects;
}

/** Before adding kernel limits: rules a killed bench left behind are removed (a rule of a bench still running is kept). */
async function cleanLeftovers(session: Session): Promise<void> {
  if (await iptablesUnavailable(session.iptables)) return; // the experiments will say why they are not run
  try {
    for (const line of await cleanLeftoverRules(session.iptables)) session.log(`iptables: ${line}`);
  } catch (error) {
    session.log(`iptables: ${(error as Error).message}`);
  }
}

/** A scenario with its own provider measures servers started for it alone; they stop with the session. */
async function relaunchedSubjects(session: Session, module: ScenarioModule, provider: OwnProvider, subjects: Subject[]): Promise<Subject[]> {
  const own: Subject[] = [];
  for (const subject of subjects) {
    const source = subject.source;
    if (!source) continue;
    session.progress.status(`${module.name} · ${subject.label} · starting a server with its own provider`);
    const started = performance.now();
    try {
      const instance = await launchSubject(source.tree, session.cleanup, {
        args: source.args, env: { ...source.env, ...provider.env }, feed: provider.feed, connlimit: source.connlimit, wrap: session.serverWrap, guard: session.signals.guard,
      });
      const launched: Subject = { ...subject, url: instance.url, pid: instance.pid, metricsUrl: instance.metricsUrl, simulator: instance.simulator };
      own.push(launched);
      session.log(`ready ${subject.label} for ${module.name} on ${launched.url} (own provider, ${((performance.now() - started) / 1000).toFixed(2)} s)`);
    } catch (error) {
      if (error instanceof Interrupted) throw error;
      session.failures.push(`${subject.label} / ${module.name}: ${(error as Error).message}`);
      session.io.stderr.write(`bench: ${subject.label} could not be started for ${module.name}:\n${(error as Error).message}\n`);
    }
    session.progress.clearStatus();
  }
  return own;
}

function describePreparation(prep: PreparationRow): string {
  const s = (v: number | null) => v?.toFixed(2) ?? '—';
  const cache = prep.install_cache_hit === null ? '' : prep.install_cache_hit ? ' cached' : ' fresh';
  return `${s(prep.total_seconds)} s (worktree ${s(prep.worktree_seconds)}, install ${s(prep.install_seconds)}${cache}, build ${s(prep.build_seconds)}, start+ready ${s(prep.start_seconds)})`;
}

/** The yardsticks (bench/reference/yardsticks.ts): the exact bytes and headers of the first chapter's hot answer, pinned like the chapters. */
async function startReferences(session: Session, source: Subject): Promise<Subject[]> {
  const { yardsticks, settings } = await startYardsticks({
    answerUrl: source.url + HOT_PATH, sourceLabel: source.label, wrap: session.serverWrap, cleanup: session.cleanup, guard: session.signals.guard, log: session.log,
  });
  Object.assign(session.settings, settings);
  session.store.updateSessionSettings(session.id, session.settings);
  session.store.save();
  return yardsticks.map((y) => ({ label: y.subject, subject: y.subject, experiment: '', commit: null, url: y.url, pid: y.pid }));
}

/** One scenario: warm-up, then interleaved rounds; summaries saved after every round. */
async function runScenario(session: Session, module: ScenarioModule, subjects: Subject[]): Promise<void> {
  const { options, store } = session;
  const key = session.request.keys.get(module.name)!;
  const outcomes = new Map<string, RunOutcome[]>(subjects.map((s) => [s.label, []]));
  const flags = new Map<string, Set<string>>(subjects.map((s) => [s.label, new Set()]));
  const warmup = module.warmup(options);
  if (warmup) for (const subject of subjects) await unrecordedLoad(session, module, subject, warmup, 'warm-up');
  const order = interleavedOrder(subjects, options.runs);
  for (let round = 0; round < options.runs; round++) {
    for (const { subject } of order.filter((o) => o.round === round)) {
      const subjectFlags = flags.get(subject.label)!;
      const run = runClock();
      const runs = await module.runRound(
        {
          options,
          label: subject.label,
          url: subject.url,
          loadgenCpus: session.request.pinning.loadgenCpus,
          guard: session.signals.guard,
          measure: (load) => {
            run.restart();
            return recordedRun(session, module, subject, round, load, key, subjectFlags);
          },
          settle: (load) => unrecordedLoad(session, module, subject, load, 'settle', round),
          log: session.log,
          flag: (name) => subjectFlags.add(name),
          series: (kind, runId) => store.seriesWriter(kind, { sessionId: session.id, subject: subject.subject, experiment: subject.experiment, scenario: module.name, runId }),
          provider: subject.simulator,
          serverGauges: gaugesOf(session, subject, run.startedAt),
        },
        round,
      );
      outcomes.get(subject.label)!.push(...runs);
    }
    // Summaries after every round, saved atomically: an interrupt keeps what was measured.
    const reference = module.comparesToReference ? outcomes.get(REFERENCE_SUBJECT) : undefined;
    const yardsticks = module.comparesToReference ? subjects.filter((s) => YARDSTICK_SUBJECTS.includes(s.subject)) : [];
    for (const subject of subjects) {
      const summaryKey = { session_id: session.id, subject: subject.subject, experiment: subject.experiment, scenario: module.name, settings_key: key };
      const figures = module.summarize(outcomes.get(subject.label)!, subject.subject === REFERENCE_SUBJECT ? undefined : reference);
      store.upsertSummary(summaryKey, figures);
      for (const yardstick of yardsticks.filter((y) => y !== subject)) {
        store.upsertYardstickRatio({ ...summaryKey, yardstick: yardstick.subject, ...yardstickRatio(outcomes.get(subject.label)!, outcomes.get(yardstick.label)!) });
      }
    }
    if (session.signals.interrupted()) throw new Interrupted();
    store.save();
  }
  for (const subject of subjects) {
    const failed = module.failures(outcomes.get(subject.label)!);
    if (failed > 0) session.failures.push(`${subject.label} / ${module.name}: ${failed} of ${options.runs} runs failed`);
    session.lines.push({ label: subject.label, scenario: module.name, subject: subject.subject, experiment: subject.experiment, flags: [...flags.get(subject.label)!] });
  }
}

/** A load run that is not recorded (a warm-up, a settle before a slice); a failure is reported, not fatal. */
async function unrecordedLoad(session: Session, module: ScenarioModule, subject: Subject, load: LoadShape, what: string, round = 0): Promise<void> {
  const { result } = await runLoad(session, module, subject, round, load, null);
  if (session.signals.interrupted()) throw new Interrupted();
  if (!result.ok) session.io.stderr.write(`bench: ${what} of ${subject.label} / ${module.name} failed: ${result.failure ?? 'no successful response'}\n`);
}

/** When the round's latest run started (performance.now()); the round's start until its first run. */
function runClock(): { startedAt: () => number; restart: () => void } {
  let startedAt = performance.now();
  return { startedAt: () => startedAt, restart: () => (startedAt = performance.now()) };
}

/** The round context's scrape of a subject's metrics, when it has them (RoundContext.serverGauges). */
function gaugesOf(session: Session, subject: Subject, runStartedAt: () => number): RoundContext['serverGauges'] {
  if (!subject.metricsUrl) return undefined;
  return gaugeReader(subject.metricsUrl, runStartedAt, (message) => session.log(`${subject.label}: no metrics this second: ${message}`));
}

/** What the server's own counters say a run did (requests, shed), when it has metrics; a failed scrape says nothing. */
async function withServerCounts<T>(subject: Subject, run: () => Promise<T>): Promise<{ value: T; counted: string | null }> {
  const url = subject.metricsUrl;
  if (!url) return { value: await run(), counted: null };
  const read = () => scrape(url).catch(() => null);
  const before = await read();
  const value = await run();
  const after = await read();
  if (before?.requestsTotal == null || after?.requestsTotal == null) return { value, counted: null };
  const shed = before.shedTotal !== null && after.shedTotal !== null ? `, ${after.shedTotal - before.shedTotal} shed` : '';
  return { value, counted: `server metrics: ${after.requestsTotal - before.requestsTotal} requests answered${shed}` };
}

/** One load run of a subject, with its server's CPU time, as a runs row (not yet stored). */
async function runLoad(session: Session, module: ScenarioModule, subject: Subject, round: number, load: LoadShape, key: string | null): Promise<{ run: RunRow; result: LoadResult }> {
  const { options, request, progress } = session;
  const loadRequest: LoadRequest = { url: subject.url, ...load, threads: options.threads, cpus: request.pinning.loadgenCpus ?? undefined };
  const where = `${module.name} · ${subject.label} · ${key === null ? 'warm-up' : `run ${round + 1}/${options.runs}`} · ${load.connections} conn`;
  progress.status(`${where} · starting`);
  const readServerCpu = treeCpuReader(subject.pid);
  const cpuBefore = readServerCpu();
  const monitor = startCpuMonitor(subject.pid, 100, readServerCpu);
  const startedAt = new Date().toISOString();
  let result: LoadResult;
  try {
    result = await session.signals.guard(
      request.generator.run(loadRequest, (s) => progress.status(`${where} · ${s.second}s ${fmtRps(s.requestsPerSecond)} req/s${s.errors ? ` · ${s.errors} errors` : ''}`)),
    );
  } catch (error) {
    monitor.stop();
    if (error instanceof Interrupted) throw error;
    result = failedResult((error as Error).message);
  }
  const cpuAfter = monitor.stop();
  const serverCpu = cpuBefore !== null && cpuAfter !== null ? cpuAfter - cpuBefore : null;
  const place = { sessionId: session.id, subject: subject.subject, commit: subject.commit, experiment: subject.experiment, scenario: module.name, settingsKey: key ?? '', round, sequence: session.sequence++ };
  const tool = { generator: request.generator, tool: request.tool, threads: options.tool === 'autocannon' ? null : options.threads };
  return { run: runRow(place, tool, loadRequest, startedAt, result, { seconds: serverCpu, cores: session.serverCores }), result };
}

/** A recorded run of a scenario's round: stored with its per-second samples, flagged, logged. */
async function recordedRun(session: Session, module: ScenarioModule, subject: Subject, round: number, load: LoadShape, key: string, flags: Set<string>): Promise<Measured> {
  const reportPath = subject.source?.tree.contract.ready.path;
  const before = reportPath ? await fetchServerReport(subject.url, reportPath) : null;
  const { value: { run, result }, counted } = await withServerCounts(subject, () => runLoad(session, module, subject, round, load, key));
  if (reportPath) {
    run.server_report_before = before;
    run.server_report_after = await fetchServerReport(subject.url, reportPath);
    run.server_peak_rss_bytes = treePeakRssBytes(subject.pid);
  }
  if (session.signals.interrupted()) throw new Interrupted();
  const runId = session.store.recordRun(run, result.samples.map((s) => ({ second: s.second, requests_per_second: s.requestsPerSecond, p99_latency_us: s.p99LatencyUs, errors: s.errors })));
  flagRun(flags, run, result);
  session.log(describeRun(subject.label, session.options.runs, run, result));
  if (counted) session.log(`  ${subject.label}: ${counted}`);
  return { outcome: outcomeOf(run), result, runId };
}

/**
 * --profile: one extra run per chapter subject after the measured rounds, its server a
 * fresh instance under node --cpu-prof (bench/profile/run.ts). The scenario's own round
 * is the load, but nothing of it is recorded as a run: the profiler costs throughput.
 */
async function profileScenario(session: Session, module: ScenarioModule, subjects: Subject[]): Promise<void> {
  const { options, store, signals } = session;
  for (const subject of subjects) {
    const source = subject.source;
    if (!source) continue;
    let profiled: Subject = subject;
    try {
      const rows = await profiledRun({
        treeDir: source.tree.path,
        start: async (profileDir) => {
          const launched = await launchSubject(source.tree, session.cleanup, { args: source.args, env: source.env, connlimit: source.connlimit, wrap: session.serverWrap, guard: signals.guard, profileDir });
          profiled = { ...subject, label: `${subject.label} (profiled)`, url: launched.url, pid: launched.pid, metricsUrl: launched.metricsUrl };
          return launched.server;
        },
        warmUp: async () => {
          const warmup = module.warmup(options);
          if (warmup) await unrecordedLoad(session, module, profiled, warmup, 'warm-up');
        },
        load: async () => {
          await module.runRound(unrecordedRound(session, module, profiled), 0);
        },
      });
      store.recordProfile(toDbRows(rows, { sessionId: session.id, subject: subject.subject, experiment: subject.experiment, scenario: module.name }));
      store.save();
      session.profiles.push({ label: subject.label, scenario: module.name, rows });
      session.log(`profile ${subject.label} / ${module.name}: ${new Set(rows.map((r) => r.process)).size} process table(s) stored`);
    } catch (error) {
      if (error instanceof Interrupted) throw error;
      session.failures.push(`profile of ${subject.label} / ${module.name}: ${(error as Error).message}`);
      session.io.stderr.write(`bench: profile of ${subject.label} / ${module.name} failed: ${(error as Error).message}\n`);
    }
    if (signals.interrupted()) throw new Interrupted();
  }
}

/** A round context whose load runs are not recorded (no run row, no series, no flag). */
function unrecordedRound(session: Session, module: ScenarioModule, subject: Subject): RoundContext {
  const clock = runClock();
  return {
    options: session.options,
    label: subject.label,
    url: subject.url,
    loadgenCpus: session.request.pinning.loadgenCpus,
    serverGauges: gaugesOf(session, subject, clock.startedAt),
    measure: async (load) => {
      clock.restart();
      const { run, result } = await runLoad(session, module, subject, 0, load, null);
      if (session.signals.interrupted()) throw new Interrupted();
      // runId -1: no row in `runs`; the series writer below discards, so nothing refers to it.
      return { outcome: outcomeOf(run), result, runId: -1 };
    },
    settle: (load) => unrecordedLoad(session, module, subject, load, 'settle'),
    log: (line) => session.log(`(profiled run, not recorded) ${line}`),
    flag: () => {},
    series: () => ({ write: () => {} }),
  };
}

/** Each profiled subject's top functions (the merged table of a server of several processes). */
function formatProfileReport(profiles: Session['profiles'], top: number): string {
  return profiles
    .map(({ label, scenario, rows }) => {
      const shown = rows.filter((r) => r.process === rows[0].process && r.rank <= top);
      const processes = new Set(rows.map((r) => r.process)).size;
      return `${label} / ${scenario}${processes > 1 ? ` (${processes - 1} processes merged)` : ''}:\n${formatTable(shown)}`;
    })
    .join('\n\n');
}

/** The end-of-session tables and the headline of the comparison machine. */
function report(session: Session): void {
  const { io, store, machine, request } = session;
  if (session.overhead.length > 0) io.stdout.write(`\nPer-chapter overhead outside the load (seconds):\n${formatOverheadTable(session.overhead)}\n`);
  if (session.profiles.length > 0) io.stdout.write(`\nWhere the time goes (CPU profile of one extra, unrecorded run; top 5 by self time, shares of all sampled time):\n${formatProfileReport(session.profiles, 5)}\n`);
  if (session.lines.length > 0) io.stdout.write(`\nSession ${session.id} (${machine.cpu_model}, ${machine.cores} cores, ${request.tool.name} ${request.tool.version}):\n${formatSummaryTable(store, session.id, session.lines)}\n`);
  const headline = store.rows('SELECT tag, baseline_rps, improvement_percent, reference_ratio, ratio_note, session_id, machine FROM versions ORDER BY chapter_number');
  if (headline.length === 0) return;
  io.stdout.write(`\nHeadline (hot, median req/s of the latest session that measured each chapter on ${String(headline[0].machine ?? 'no machine yet')}):\n`);
  for (const h of headline) {
    const rps = h.baseline_rps as number | null;
    const imp = h.improvement_percent as number | null;
    const ratio = h.reference_ratio === null ? (h.ratio_note ? `, ${String(h.ratio_note)}` : '') : `, ${(h.reference_ratio as number).toFixed(3)} × reference`;
    io.stdout.write(`  ${String(h.tag).padEnd(24)} ${rps === null ? 'not measured' : `${rps.toFixed(0)} req/s${imp === null ? '' : ` (${imp >= 0 ? '+' : ''}${imp.toFixed(1)}% vs chapter 1)`}${ratio} [session ${h.session_id}]`}\n`);
  }
}

export function writeExports(store: BenchStore, dir: string, log: (line: string) => void): void {
  mkdirSync(dir, { recursive: true });
  const latest = store.latestSummaries();
  writeFileSync(join(dir, 'bencher.json'), `${JSON.stringify(toBencherMetricFormat(latest), null, 2)}\n`);
  writeFileSync(join(dir, 'github-action-benchmark.json'), `${JSON.stringify(toGithubActionBenchmark(latest), null, 2)}\n`);
  log(`exported ${latest.length} summaries to ${join(dir, 'bencher.json')} and ${join(dir, 'github-action-benchmark.json')}`);
}

export type { LoadGenerator, ToolInfo };
