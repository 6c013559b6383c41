/**
 * One scenario's rounds: a warm-up per subject, then `runs` rounds in interleaved, rotated
 * order; each load run timed against its server's CPU, turned into its `runs` row
 * (bench/figures/run-row.ts), stored with its per-second samples, and the summaries saved
 * after every round.
 */
import { NGINX_SUBJECT, REFERENCE_SUBJECT } from '../../db/schema.ts';
import { failedResult, type LoadRequest, type LoadResult } from '../loadgen/index.ts';
import { serverThreadSplit, startCpuMonitor, treeCpuReader } from '../proc/cpu.ts';
import { fetchServerReport, treePeakRssBytes, treeRssBytes } from '../subject/server-report.ts';
import { describeRun, flagRun, fmtRps, outcomeOf, runRow } from '../figures/run-row.ts';
import type { LoadShape, Measured, RoundContext, ScenarioModule } from '../scenarios/module.ts';
import { interleavedOrder } from './schedule.ts';
import { type RunRow } from '../store.ts';
import { Interrupted } from './interrupt.ts';
import { whileRunning } from '../subject/pause.ts';
import { gaugeReader, scrape } from '../metrics/scrape.ts';
import { yardstickRatio, type RunOutcome } from '../figures/summarize.ts';

/** The subjects that are yardsticks (bench/reference/yardsticks.ts): every subject of their rounds gets a ratio to each. */
const YARDSTICK_SUBJECTS: readonly string[] = [REFERENCE_SUBJECT, NGINX_SUBJECT];
import type { Subject, Session } from './types.ts';
import type { DisturbanceWatch } from './edition-part.ts';

/** One scenario: warm-up, then interleaved rounds; summaries saved after every round. */
export async function runScenario(session: Session, module: ScenarioModule, subjects: Subject[]): Promise<void> {
  const { options, store } = session;
  const key = session.request.keys.get(module.name)!;
  const outcomes = new Map<string, RunOutcome[]>(subjects.map((s) => [s.label, []]));
  const flags = new Map<string, Set<string>>(subjects.map((s) => [s.label, new Set()]));
  const warmup = module.warmup(options);
  // Each subject runs only for its own warm-up and slices, stopped the rest of the time (bench/subject/pause.ts).
  if (warmup) for (const subject of subjects) await whileRunning(subject.processes, () => unrecordedLoad(session, module, subject, warmup, 'warm-up'));
  const order = interleavedOrder(subjects, options.runs);
  const done = new Set<string>();
  for (let round = 0; round < options.runs; round++) {
    for (const subject of roundOf(session, subjects, order, round, done)) {
      const subjectFlags = flags.get(subject.label)!;
      const run = runClock();
      const runs = await whileRunning(subject.processes, () => module.runRound(
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
          ...(session.edition?.capacitySeeds?.[subject.label] === undefined ? {} : { capacitySeed: session.edition.capacitySeeds[subject.label] }),
          flag: (name) => subjectFlags.add(name),
          series: (kind, runId) => store.seriesWriter(kind, { sessionId: session.id, subject: subject.subject, experiment: subject.experiment, scenario: module.name, runId }),
          provider: subject.simulator,
          serverGauges: gaugesOf(session, subject, run.startedAt),
          serverRssBytes: () => treeRssBytes(subject.pid),
          serverThreads: () => serverThreadSplit(subject.pid),
          serverReport: () => (subject.source ? fetchServerReport(subject.url, subject.source.tree.contract.ready.path) : Promise.resolve(null)),
          ...(session.edition?.watch ? { watchLoad: loadWatch(session.edition.watch, subject.pid) } : {}),
        },
        round,
      ));
      outcomes.get(subject.label)!.push(...runs);
    }
    // Summaries after every round, saved atomically: an interrupt keeps what was measured.
    const reference = module.comparesToReference ? outcomes.get(REFERENCE_SUBJECT) : undefined;
    const yardsticks = module.comparesToReference ? subjects.filter((s) => YARDSTICK_SUBJECTS.includes(s.subject)) : [];
    const standings: { label: string; figures: ReturnType<ScenarioModule['summarize']> }[] = [];
    for (const subject of subjects) {
      const summaryKey = { session_id: session.id, subject: subject.subject, experiment: subject.experiment, scenario: module.name, settings_key: key };
      const figures = module.summarize(outcomes.get(subject.label)!, subject.subject === REFERENCE_SUBJECT ? undefined : reference);
      store.upsertSummary(summaryKey, figures);
      for (const yardstick of yardsticks.filter((y) => y !== subject)) {
        store.upsertYardstickRatio({ ...summaryKey, yardstick: yardstick.subject, ...yardstickRatio(outcomes.get(subject.label)!, outcomes.get(yardstick.label)!) });
      }
      if (!YARDSTICK_SUBJECTS.includes(subject.subject) && !done.has(subject.label)) standings.push({ label: subject.label, figures });
    }
    for (const label of session.edition?.stopAfterRound?.(module.name, standings) ?? []) {
      done.add(label);
      session.log(`${label} / ${module.name}: no more rounds after ${round + 1} (precise enough, at the most, or the budget goes to wider intervals)`);
    }
    if (session.signals.interrupted()) throw new Interrupted();
    store.save();
    if (subjects.every((s) => YARDSTICK_SUBJECTS.includes(s.subject) || done.has(s.label))) break;
  }
  for (const subject of subjects) {
    const failed = module.failures(outcomes.get(subject.label)!);
    if (failed > 0) session.failures.push(`${subject.label} / ${module.name}: ${failed} of ${options.runs} runs failed`);
    session.lines.push({ label: subject.label, scenario: module.name, subject: subject.subject, experiment: subject.experiment, flags: [...flags.get(subject.label)!] });
  }
}

/** The subjects of one round: the edition's order when it has one (the reference between groups), else the rotated order; subjects precise enough are left out. */
function roundOf(session: Session, subjects: Subject[], order: { round: number; subject: Subject }[], round: number, done: Set<string>): Subject[] {
  const active = subjects.filter((s) => !done.has(s.label));
  const planned = session.edition?.roundOrder
    ? session.edition.roundOrder(active.filter((s) => !YARDSTICK_SUBJECTS.includes(s.subject)), active.filter((s) => YARDSTICK_SUBJECTS.includes(s.subject)), round)
    : order.filter((o) => o.round === round).map((o) => o.subject);
  return planned.filter((s) => !done.has(s.label));
}

/**
 * The edition's watch over load that has no runs row (a capacity probe): the server's CPU from
 * its process tree, the generator's inside the bench's own (the open-loop driver), and no
 * closed-loop duration, so no "starved" judgement: an open loop at a set rate does not keep a server busy.
 */
export function loadWatch(watch: DisturbanceWatch, serverPid: number): () => { finish(): string | null } {
  return () => {
    const readServerCpu = treeCpuReader(serverPid);
    const before = readServerCpu();
    const watching = watch.start();
    return {
      finish: () => {
        const after = readServerCpu();
        return watching.finish({ duration_seconds: null, server_cpu_seconds: before !== null && after !== null ? after - before : null, loadgen_cpu_seconds: null, loadgen_saturated: null });
      },
    };
  };
}

/** A load run that is not recorded (a warm-up, a settle before a slice); a failure is reported, not fatal. */
export async function unrecordedLoad(session: Session, module: ScenarioModule, subject: Subject, load: LoadShape, what: string, round = 0): Promise<void> {
  const { result } = await runLoad(session, module, subject, round, load, null);
  if (session.signals.interrupted()) throw new Interrupted();
  if (!result.ok) session.io.stderr.write(`bench: ${what} of ${subject.label} / ${module.name} failed: ${result.failure ?? 'no successful response'}\n`);
}

/** When the round's latest run started (performance.now()); the round's start until its first run. */
export function runClock(): { startedAt: () => number; restart: () => void } {
  let startedAt = performance.now();
  return { startedAt: () => startedAt, restart: () => (startedAt = performance.now()) };
}

/** The round context's scrape of a subject's metrics, when it has them (RoundContext.serverGauges). */
export function gaugesOf(session: Session, subject: Subject, runStartedAt: () => number): RoundContext['serverGauges'] {
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
  const startedAt = session.io.now().toISOString();
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
  const watch = session.edition?.watch?.start();
  const { value: { run, result }, counted } = await withServerCounts(subject, () => runLoad(session, module, subject, round, load, key));
  if (watch) run.disturbance = watch.finish(run);
  if (reportPath) {
    run.server_report_before = before;
    run.server_report_after = await fetchServerReport(subject.url, reportPath);
    run.server_peak_rss_bytes = treePeakRssBytes(subject.pid);
  }
  if (session.signals.interrupted()) throw new Interrupted();
  const runId = session.store.recordRun(run, result.samples.map((s) => ({ second: s.second, requests_per_second: s.requestsPerSecond, p99_latency_us: s.p99LatencyUs, errors: s.errors })));
  flagRun(flags, run, result, load.pipeline);
  session.log(describeRun(subject.label, session.options.runs, run, result, load.pipeline) + (run.disturbance ? ` · DISTURBED: ${run.disturbance}` : ''));
  if (counted) session.log(`  ${subject.label}: ${counted}`);
  return { outcome: outcomeOf(run), result, runId };
}

/** A round context whose load runs are not recorded (no run row, no series, no flag). */
export function unrecordedRound(session: Session, module: ScenarioModule, subject: Subject): RoundContext {
  const clock = runClock();
  return {
    options: session.options,
    label: subject.label,
    url: subject.url,
    loadgenCpus: session.request.pinning.loadgenCpus,
    guard: session.signals.guard,
    // A scenario that steers its provider (ingest) steers the profiled server's own.
    provider: subject.simulator,
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
