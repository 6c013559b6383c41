/**
 * A session's plan (pure but for the tool and pinning probes): what to measure, with which
 * settings, and what this machine has already measured. Everything that can be refused is
 * refused here, before the database is touched.
 */
import type { EditionPart } from './edition-part.ts';
import { join } from 'node:path';
import { chapterCommitDetails, readChapterList } from '../../db/chapters.ts';
import { UsageError } from '../../cli/args.ts';
import type { BenchOptions } from '../options.ts';
import { planPinning, type CpuPlan } from '../proc/pinning.ts';
import { type CpuQuota } from '../proc/cpu-quota.ts';
import { harnessState } from '../provenance.ts';
import { LITTLE_TOLERANCE, SATURATION_SHARE } from '../figures/run-row.ts';
import { PROFILE_TOP } from '../profile/run.ts';
import type { ScenarioModule } from '../scenarios/module.ts';
import { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, intervalMethod } from '../stats/descriptive.ts';
import { BenchStore } from '../store.ts';
import { FEED } from '../subject/subject.ts';
import type { SessionEffects } from './effects.ts';
import type { Chapter } from '../../db/chapters.ts';
import { subjectLabel } from '../scenarios/chapter-capacities.ts';
import type { Unit, Request } from './types.ts';

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

/** Every chapter's units: the chapter itself, then each of its experiments (label `tag+experiment`) (pure). */
function unitsOf(chapter: Chapter): Unit[] {
  return [
    { chapter, experiment: '', args: [], env: {}, connlimit: null, label: chapter.tag },
    ...(chapter.experiments ?? []).map((e) => ({ chapter, experiment: e.name, args: e.args ?? [], env: e.env ?? {}, connlimit: e.connlimit ?? null, label: subjectLabel(chapter.tag, e.name) })),
  ];
}

/**
 * The units `selection` names, in the chapters' order (pure): null is every chapter with its
 * experiments; a tag is that chapter, with its experiments when `withExperiments` (run: yes;
 * soak: no, each experiment's soak is another 12 minutes); `tag+experiment` is that experiment
 * alone. An unknown name is a UsageError listing what is known.
 */
export function selectUnits(chapters: readonly Chapter[], selection: readonly string[] | null, withExperiments: boolean): Unit[] {
  const all = chapters.flatMap(unitsOf);
  if (selection === null) return all;
  const unknown = selection.filter((name) => !all.some((u) => u.label === name));
  if (unknown.length > 0) {
    const known = all.map((u) => u.label).join(', ') || 'none';
    throw new UsageError(`--chapters: unknown chapter or experiment ${unknown.join(', ')} (known: ${known})`);
  }
  return all.filter((u) => selection.includes(u.label) || (withExperiments && u.experiment !== '' && selection.includes(u.chapter.tag)));
}

/** Everything that can be refused is refused here, before the database is touched. */
export async function checkRequest(options: BenchOptions, effects: Pick<SessionEffects, 'loadGenerator' | 'scenarios'>): Promise<Request> {
  const registry = effects.scenarios;
  const { generator, tool } = await effects.loadGenerator(options.tool, { isDefault: !options.toolNamed });
  const listFile = join(options.repoDir, 'data', 'chapters.json');
  const allChapters = readChapterList(listFile);
  if (allChapters.length === 0) throw new Error(`no chapters to measure: ${listFile} lists none`);
  const units = selectUnits(allChapters, options.chapters, options.withExperiments);
  const modules = options.scenarios.map((name) => {
    const module = registry.get(name);
    if (!module) throw new UsageError(`--scenario: unknown scenario "${name}" (known: ${[...registry.keys()].join(', ')})`);
    return module;
  });
  const pinning = await planPinning(options.pin);
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
export function planWork(options: BenchOptions, request: Request, store: BenchStore, fingerprint: string, log: (line: string) => void, edition?: EditionPart): Map<string, Unit[]> {
  const plan = new Map<string, Unit[]>();
  for (const module of request.modules) {
    const key = request.keys.get(module.name)!;
    // An edition's part measures exactly its subjects, whatever was measured before.
    const todo = request.units.filter((u) => (edition ? edition.labels.includes(u.label) : options.force || !store.isMeasured(fingerprint, u.chapter.tag, u.experiment, module.name, key, options.runs)));
    for (const u of request.units) if (!edition && !todo.includes(u)) log(`skip ${u.label} / ${module.name}: already measured on this machine with these settings (--force to re-measure)`);
    if (todo.length > 0) plan.set(module.name, todo);
  }
  return plan;
}

export function sessionSettings(options: BenchOptions, request: Request, needed: Unit[], quota: CpuQuota | null): Record<string, unknown> {
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
    honesty: { loadgen_saturated: `load generator CPU >= ${SATURATION_SHARE} x the cores it can use, while server CPU < ${SATURATION_SHARE} x its cores (CPU set or quota)`, littles_law: `rps x mean latency / (sockets x requests per write), flagged when off 1 by more than ${LITTLE_TOLERANCE * 100}%; pipelined (wrk's latency is per write), only when above 1 by more` },
    repo: options.repoDir,
    profile: options.profile
      ? { method: 'node --cpu-prof, one extra run per chapter subject × scenario after the measured rounds (a fresh server, warm-up, then the scenario\'s round); not a measurement, its throughput is not stored; table of the load window only', top: PROFILE_TOP }
      : null,
    preparation: {} as Record<string, unknown>,
  };
}
