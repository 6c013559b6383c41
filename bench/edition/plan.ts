/**
 * The plan of an edition (pure): from what the book cites (book-needs.ts) to the parts the
 * bench runs, each one call of the runner into the edition's session, with its settings
 * and its time. Why each setting: bench/README.md, "Editions".
 *
 * - hot, mix, close (ratios to the reference): short slices, the reference after every
 *   `referenceEvery` subject slices so each slice has a reference close by, and sequential
 *   stopping: a subject runs rounds until its ratio's 95% interval is within ±halfWidth of
 *   its median (at least minRounds, at most maxRounds).
 * - hot-x4, hot-x16: the same, each size's server fed its own catalogue; the ratio to the
 *   reference is what compares a size with hot's, measured in another part.
 * - ingest: a few rounds of its two phases.
 * - overload: one round of the steps per subject, on the whole core (no quota).
 * - fairness: one round per subject: its steps are long (40 polite searches each), not repeated.
 * - overload, fairness, the ramps: an experiment whose chapter is in the part steps at the
 *   chapter's capacity of the round (scenarios/chapter-capacities.ts): no capacity run of its own.
 * - adaptive-ramp, scaling-ramp: `rampRepeats` rounds, so the pages report rates with intervals.
 * - a time budget: the fixed parts (counts, open loop, ingest) and every sequential part's
 *   minimum of rounds come first; what the budget leaves is the sequential parts' extra
 *   rounds, shared by their slices (sequential.ts spends it where the intervals are widest).
 */
import { OPEN_LOOP_DEFAULTS } from '../scenarios/open-loop.ts';
import { FAIRNESS_DEFAULTS, fairnessSteps } from '../scenarios/fairness.ts';
import { CAPACITY_SEARCH } from '../scenarios/capacity.ts';
import { DEFAULT_INGEST, phaseSeconds } from '../scenarios/ingest.ts';
import type { OpenLoopScenarioName } from '../scenarios/index.ts';
import type { Need } from './book-needs.ts';
import { CLOSED_LOOP_OF } from './capacity-seeds.ts';
import { labelParts } from '../scenarios/chapter-capacities.ts';

export interface EditionSettings {
  /** Seconds of a measured slice (hot, mix, close, hot-xN) and of an ingest phase. */
  sliceSeconds: number;
  /** Unrecorded seconds of load right before each slice. */
  settleSeconds: number;
  /** Warm-up seconds per subject and scenario. */
  warmupSeconds: number;
  minRounds: number;
  maxRounds: number;
  /** Sequential stopping: the 95% interval within ± this share of the median. */
  halfWidth: number;
  /** A node:http reference slice before every this many subject slices (nginx, the second yardstick, once per round). */
  referenceEvery: number;
  rampRepeats: number;
  ingestRounds: number;
  /** Seconds of each overload step (and of the capacity run before the steps). */
  overloadStepSeconds: number;
  /** Closed-loop connections (steady scenarios, capacity runs). */
  connections: number;
  /** Requests per write on each keep-alive connection (wrk) in hot, mix and hot-xN: the generator must outrun the reference. */
  pipeline: number;
  /** Wall-time budget of the whole edition in seconds (null: none, every sequential part may run to maxRounds). */
  budgetSeconds: number | null;
}

/**
 * Why 1 s slices and a reference every 6: bench/README.md, "Editions" (each slice's noise is its own, not its length's or its distance's).
 * Why a settle of 0.5 s: a slice's first second after it served as much of its second, and as evenly, as after 1 s (sessions 51 and 53 of 2026-12-06); after 0.25 s it served less.
 */
export const EDITION_DEFAULTS: EditionSettings = {
  sliceSeconds: 1,
  settleSeconds: 0.5,
  warmupSeconds: 1,
  minRounds: 6,
  maxRounds: 12,
  halfWidth: 0.03,
  referenceEvery: 6,
  rampRepeats: 5,
  ingestRounds: 3,
  overloadStepSeconds: 2,
  connections: 32,
  pipeline: 4,
  budgetSeconds: 30 * 60,
};

/**
 * Planning constants (seconds), calibrated on the committed sessions of the AMD EPYC machine
 * (bench/README.md, "Editions", has the arithmetic):
 * - prepareSeconds: session 32's preparations, 2.0–3.1 s per chapter (worktree, cached
 *   install, build, start) and 0.8–1.0 s per experiment (start only);
 * - partStartSeconds: session 32's hot part began its first slice 49 s after the session,
 *   of which 17 s preparations and 22 s warm-ups: the rest, 10 s, is the yardsticks' start;
 * - sliceOverheadSeconds: edition 38's 244 hot slices of 1 + 2 s started 3.175 s apart
 *   (close 3.14, hot-x4 3.18, hot-x16 3.21; session 32's: 3.24);
 * - wrkStartSeconds: the measured run's wrk start beyond that with the mix's 200,000 paths:
 *   edition 57's 227 mix slices of 0.5 + 1 s started 1.808 s apart, hot's 199 1.700 s, so
 *   0.11 s for both wrk starts: 0.09 s the measured run's (`wrk -t1 -c8` to its ready line
 *   with the mix's script pipelined 4 deep: 0.088–0.11 s) and the settle's over 20,000 paths
 *   (SETTLE_START_SECONDS) 0.02 s. Edition 55's were 2.038 s apart (0.33 s for both), before
 *   the paths file was written once per list (bench/loadgen/wrk.ts) and a batch built in one
 *   concatenation; edition 38's 3.724 s apart with 2 s slices (0.40 + 0.15 s planned until
 *   edition 57; 1.0 s from wrk's CPU to start before edition 38; session 32's 1.5 s with
 *   overlapping batches);
 * - costCountSeconds: cost session 59 (AMD EPYC), 42 counts (20 chapters and the reference, hot
 *   and mix) in 15 min 57 s at 2 jobs, node's start uninstrumented (bench/cost/command.ts).
 *   With the start counted, 42–46 s a count: session 31 (Intel Xeon) made 30 in 21 min 11 s,
 *   session 57 (AMD EPYC) 42 in 32 min 13 s.
 * - capacityProbes: probes of one capacity search from 1,000 req/s (bench/overload/objective.ts:
 *   doubling, then bisecting to 10%): edition 38's 17 searches of the mix made 116 probes
 *   (5–8, 6.8 on average; capacities 469–14,000 req/s), so 7; the part took 643 s, 5.07 s a
 *   probe beyond preparations and warm-ups (3 s probe, 1 s pause, the drain: 5 planned);
 * - seededCapacityProbes: a search from a seed (capacity-seeds.ts, the subject's capacity in
 *   the latest edition of this machine kind) steps by the precision, doubling the step: 2
 *   probes when the capacity lies up to 10% above the seed or 9% below, 4 when 10–32% above
 *   or 9–24% below; edition 40's 17 seeded searches made 4.82 probes on average (2–9), its 6
 *   unseeded 6.67; editions 45, 47, 48 and 51 made 482 probes in 107 searches of the mix
 *   (152, 138, 98, 94 in 26 or 27), so 4.5;
 * - capacityProbeEndSeconds: what a probe takes beyond its 3 s, its drain and the pause that
 *   may follow it. Since edition 56 a probe ends at its last answer (bench/loadgen/open-loop.ts)
 *   and pauses only after a miss that left a request unanswered (capacity-search.ts): edition
 *   56 made 156 probes in 9 min 10 s, 62 s of it the part's start, the preparations (0.8 s
 *   each, worktrees cached) and warm-ups (1.1 s), so 3.12 s a probe: 0.15 s. (Until then
 *   every probe waited for its drain second's end and half of them paused: 1 s + 0.5 s);
 * - carriedCapacityProbes: a seed carried over from another session by the closed loop
 *   (capacity-seeds.ts): replayed on editions 38 and 40 in either direction, 84 probes for 16
 *   searches (5.25) against 104 and 111 unseeded, so 5.
 */
export const PLANNING = { prepareSeconds: 2.2, partStartSeconds: 10, ownProviderSeconds: 3, sliceOverheadSeconds: 0.18, wrkStartSeconds: 0.09, pollWaitSeconds: 2, drainSeconds: 1, costCountSeconds: 23, capacityProbes: 7, seededCapacityProbes: 4.5, carriedCapacityProbes: 5, capacityProbeEndSeconds: 0.15 } as const;
/** Scenarios whose load generator starts with the mix's long path list. */
const LONG_PATH_LIST = new Set(['mix', 'mix-gzip']);

/**
 * The settle's start with a long path list, which sends its first 20,000 paths only
 * (scenarios/steady.ts SETTLE_PATHS) while the measured run starts with all of them
 * (wrkStartSeconds, with edition 57's arithmetic). `wrk -t1 -c8 -d1` with the mix's script
 * pipelined 4 deep took 1.23–1.34 s of wall time with 20,000 paths against 2.79–3.35 s with
 * 200,000 (2026-12-06, a busy machine): a seventh of the full list's start, so 0.02 s of
 * today's 0.11 s (0.15 s of 1.0 s until edition 57).
 */
export const SETTLE_START_SECONDS = 0.02;

/**
 * What an overload round takes beyond its capacity run and steps: edition 34's 7 overload
 * rounds started 15.5–24.5 s apart (18.7 s on average) for 2 s of capacity run and 6 steps of
 * 2 s — 4.7 s more, the drain of a backlog offered at up to 6× the capacity (a request waits
 * up to 10 s) and the generator's start; the ramps' rounds, ending below the capacity, took
 * their planned time within 0.5 s (37.5 s and 50.6 s apart).
 */
export const OVERLOAD_DRAIN_SECONDS = 4.7;

export type PartKind = 'paired' | 'steady' | 'ingest' | 'open-loop';

type PartDraft = Omit<PartPlan, 'seconds' | 'allowanceSeconds' | 'sliceSeconds'> & { referenceEvery?: number; openLoopRoundSeconds?: number; seeded?: number; carried?: number; atChapterCapacity?: number };

export interface PartPlan {
  /** The part's name: its scenarios joined by '+'. */
  name: string;
  kind: PartKind;
  scenarios: string[];
  /** Subject labels (tag, tag+experiment). */
  labels: string[];
  /** The chapters of those labels, for --chapters. */
  chapters: string[];
  /** Rounds: at most (the runner's --runs) and, with sequential stopping, at least. */
  runs: number;
  minRuns: number;
  durationSeconds: number;
  settleSeconds: number;
  warmupSeconds: number;
  sequential: boolean;
  /** Estimated seconds: every subject stopping at minRuns, and none stopping before runs. */
  seconds: { low: number; high: number };
  /** Estimated seconds of one slice (settle, measured run, the harness's own time), by scenario. */
  sliceSeconds: Record<string, number>;
  /** What the budget gives the part: its minimum and a share of the spare time (without a budget: its maximum). */
  allowanceSeconds: number;
}

export interface EditionPlan {
  settings: EditionSettings;
  parts: PartPlan[];
  /** Callgrind counts still to make (chapter × scenario), the others reused from an earlier count of the same server tree. */
  costCounts: number;
  costSeconds: number;
  seconds: { low: number; high: number };
  /** Seconds by which the minimum plan exceeds the budget (0: it fits). */
  overBudgetSeconds: number;
}

export const SCENARIO_KIND: Record<string, PartKind> = {
  hot: 'paired', mix: 'paired', close: 'paired', 'hot-x4': 'paired', 'hot-x16': 'paired',
  sweep: 'steady',
  // No ratio to the yardsticks (they serve the identity answer): compared with hot and mix of the same session.
  'hot-gzip': 'steady', 'mix-gzip': 'steady',
  ingest: 'ingest',
  overload: 'open-loop', 'adaptive-ramp': 'open-loop', 'scaling-ramp': 'open-loop', fairness: 'open-loop',
  'overload-mix': 'open-loop', 'ingest-mix-overload': 'open-loop',
  'capacity-hot': 'open-loop', 'capacity-mix': 'open-loop', 'capacity-wide': 'open-loop',
};
const CAPACITY_SEARCHES = new Set(['capacity-hot', 'capacity-mix', 'capacity-wide']);

/**
 * Whether the edition's disturbance watch (disturbance.ts) judges a part's load: every
 * closed-loop slice, and every probe of a capacity search (a disturbed probe is offered again,
 * bench/overload/capacity-search.ts). Overload steps and ramps are not judged: a set rate does
 * not keep a server busy, and their figures are the per-second series themselves.
 */
export function watchedPart(part: Pick<PartPlan, 'kind' | 'scenarios'>): boolean {
  return part.kind !== 'open-loop' || part.scenarios.every((scenario) => CAPACITY_SEARCHES.has(scenario));
}
const OWN_PROVIDER = new Set(['hot-x4', 'hot-x16', 'ingest', 'ingest-mix-overload']);
/** Open-loop scenarios measured once per subject (their steps are long, or a search); the ramps are repeated. */
const ONE_ROUND = new Set(['overload', 'overload-mix', 'ingest-mix-overload', 'fairness', ...CAPACITY_SEARCHES]);

/** Scenarios of one kind measuring the same subjects are one part (one preparation). */
export function groupNeeds(needs: Need[]): { kind: PartKind; scenarios: string[]; labels: string[]; chapters: string[] }[] {
  const byScenario = new Map<string, Need[]>();
  for (const need of needs) byScenario.set(need.scenario, [...(byScenario.get(need.scenario) ?? []), need]);
  const groups = new Map<string, { kind: PartKind; scenarios: string[]; labels: string[]; chapters: string[] }>();
  for (const [scenario, list] of byScenario) {
    const kind = SCENARIO_KIND[scenario];
    if (!kind) throw new Error(`edition: no plan for scenario "${scenario}"`);
    const labels = list.map((n) => n.label);
    // Ramps and overload differ in length and repeats: never merged.
    const key = kind === 'open-loop' ? scenario : `${kind}|${labels.join(',')}`;
    const group = groups.get(key) ?? { kind, scenarios: [], labels, chapters: [...new Set(list.map((n) => n.tag))] };
    group.scenarios.push(scenario);
    groups.set(key, group);
  }
  return [...groups.values()];
}

function openLoopSeconds(scenario: string, s: EditionSettings): number {
  // Fairness: a capacity run, then its steps (2× and 5×, each with both polite clients), each a fixed length.
  if (scenario === 'fairness') return s.overloadStepSeconds + fairnessSteps(FAIRNESS_DEFAULTS).length * (FAIRNESS_DEFAULTS.stepSeconds + PLANNING.drainSeconds);
  // A capacity search: probes of a fixed length, a pause and the drain after each (a seeded search: partSeconds).
  if (scenario.startsWith('capacity-')) return PLANNING.capacityProbes * CAPACITY_PROBE_SECONDS;
  const defaults = OPEN_LOOP_DEFAULTS[scenario as OpenLoopScenarioName];
  const step = defaults.stepSeconds ?? s.overloadStepSeconds;
  return s.overloadStepSeconds + defaults.multipliers.length * step + defaults.quietSeconds + (scenario.includes('overload') ? OVERLOAD_DRAIN_SECONDS : PLANNING.drainSeconds);
}

/** One capacity probe: its load, then its drain and the pauses after some misses. */
const CAPACITY_PROBE_SECONDS = CAPACITY_SEARCH.stepSeconds + PLANNING.capacityProbeEndSeconds;

/** One slice of a scenario: settle and measured run, each a start of the load generator (the settle's over its first paths only). */
export function sliceSeconds(scenario: string, settle: number, duration: number): number {
  const starts = LONG_PATH_LIST.has(scenario) ? PLANNING.wrkStartSeconds + (settle > 0 ? SETTLE_START_SECONDS : 0) : 0;
  return settle + duration + PLANNING.sliceOverheadSeconds + starts;
}

/**
 * Slices of one round of a paired part with `subjects` subjects still running: theirs, a
 * node:http reference slice before every `every` of them, and one nginx slice (sequential.ts).
 */
export function yardstickSlices(subjects: number, every: number): number {
  return subjects === 0 ? 0 : Math.ceil(subjects / every) + 1;
}

/** A closed-loop scenario of a part: the warm-ups (the yardsticks' too, where a round has them) and `rounds` rounds of subject and yardstick slices. */
export function closedLoopScenarioSeconds(subjects: number, yardsticks: number, warmupSeconds: number, rounds: number, sliceSeconds: number): number {
  return (subjects + (yardsticks > 0 ? 2 : 0)) * warmupSeconds + rounds * (subjects + yardsticks) * sliceSeconds;
}

/** The seconds a part takes with `rounds` rounds of every subject. */
function partSeconds(part: PartDraft, rounds: number): number {
  const n = part.labels.length;
  // The yardsticks start once per part (session.ts): hot and mix over the same subjects share them.
  let total = n * PLANNING.prepareSeconds + (part.kind === 'paired' ? PLANNING.partStartSeconds : 0);
  for (const scenario of part.scenarios) {
    const slice = sliceSeconds(scenario, part.settleSeconds, part.durationSeconds);
    if (OWN_PROVIDER.has(scenario)) total += n * PLANNING.ownProviderSeconds;
    if (part.kind === 'paired' || part.kind === 'steady') {
      const yardsticks = part.kind === 'paired' ? yardstickSlices(n, part.referenceEvery ?? 1) : 0;
      total += closedLoopScenarioSeconds(n, yardsticks, part.warmupSeconds, rounds, slice);
    } else if (part.kind === 'ingest') {
      total += n * part.warmupSeconds + rounds * n * (phaseSeconds('quiet', part.durationSeconds, DEFAULT_INGEST.ingestMinSeconds) + phaseSeconds('ingest', part.durationSeconds, DEFAULT_INGEST.ingestMinSeconds) + 2 * PLANNING.pollWaitSeconds);
    } else {
      total += n * (part.warmupSeconds + rounds * part.openLoopRoundSeconds!);
      // Searches from a seed make fewer probes.
      total -= (part.seeded ?? 0) * rounds * (PLANNING.capacityProbes - PLANNING.seededCapacityProbes) * CAPACITY_PROBE_SECONDS;
      total -= (part.carried ?? 0) * rounds * (PLANNING.capacityProbes - PLANNING.carriedCapacityProbes) * CAPACITY_PROBE_SECONDS;
      // An experiment at its chapter's capacity has no capacity run of its own.
      total -= (part.atChapterCapacity ?? 0) * rounds * part.durationSeconds;
    }
  }
  return Math.round(total);
}

/**
 * What a budget of `seconds` gives each part, from the first one given on: a fixed part its
 * time, a sequential part its minimum and a share of the spare seconds in proportion to the
 * extra rounds it could use (never beyond its maximum). The edition calls it again before
 * each part with the budget left, so time a part did not need goes to the parts after it.
 */
export function allowances(parts: Pick<PartPlan, 'seconds' | 'sequential'>[], seconds: number | null): number[] {
  if (seconds === null) return parts.map((p) => p.seconds.high);
  const fixedAndMinimum = parts.reduce((t, p) => t + p.seconds.low, 0);
  const extra = parts.reduce((t, p) => t + (p.sequential ? p.seconds.high - p.seconds.low : 0), 0);
  const spare = Math.max(0, seconds - fixedAndMinimum);
  return parts.map((p) => (p.sequential && extra > 0 ? Math.round(p.seconds.low + Math.min(1, spare / extra) * (p.seconds.high - p.seconds.low)) : p.seconds.low));
}

/**
 * Seconds the first of `parts` (a sequential one) may run: its allowance — or 0, its minimum of
 * rounds and none more, when `seconds` (the budget left) cannot cover the minimum of every
 * part still to run; null without a budget. Over budget, a slice faster than planned shortens
 * the edition instead of buying rounds: editions 56 and 57 ran hot+mix's 25 subjects to 7 and
 * 8 rounds and took 14 min 20 s although the mix's slices had become 0.13 s shorter; with
 * this rule, 12 min 50 s at 6 rounds (bench/README.md, "The budget").
 */
export function sequentialPartSeconds(parts: Pick<PartPlan, 'seconds' | 'sequential'>[], seconds: number | null): number | null {
  if (seconds === null) return null;
  const minimum = parts.reduce((t, p) => t + p.seconds.low, 0);
  return seconds < minimum ? 0 : allowances(parts, seconds)[0];
}

/**
 * The experiments of an open-loop part (not a capacity search) that step at their chapter's
 * capacity of the round (scenarios/chapter-capacities.ts): those whose chapter is in the part.
 */
export function atChapterCapacity(scenario: string, labels: string[]): string[] {
  if (scenario.startsWith('capacity-')) return [];
  return labels.filter((l) => {
    const { chapter, experiment } = labelParts(l);
    return experiment !== null && labels.includes(chapter);
  });
}

/**
 * The capacity searches among `unseeded` (no seed of this machine kind) whose seed is carried
 * over from another session (`carriable`: a capacity and closed loop there) by the closed loop
 * the edition measures first (capacity-seeds.ts).
 */
export function carriedLabels(scenario: string, unseeded: string[], needs: Need[], carriable: Record<string, string[]>): string[] {
  return unseeded.filter((l) => carriable[scenario]?.includes(l) && needs.some((n) => n.scenario === CLOSED_LOOP_OF[scenario] && n.label === l));
}

/**
 * The edition's parts and its time, from the needs, the settings, the counts still to make
 * and the capacity searches that start from a seed (per scenario, the labels with one of this
 * machine kind; `carriable`, those with a capacity and closed loop in another session).
 */
export function planEdition(needs: Need[], settings: EditionSettings = EDITION_DEFAULTS, costCounts = 0, seeded: Record<string, string[]> = {}, carriable: Record<string, string[]> = {}): EditionPlan {
  const drafts = groupNeeds(needs).map((group): PartDraft => {
    const base = { name: group.scenarios.join('+'), ...group, warmupSeconds: settings.warmupSeconds };
    if (group.kind === 'paired' || group.kind === 'steady') {
      return { ...base, runs: settings.maxRounds, minRuns: settings.minRounds, durationSeconds: settings.sliceSeconds, settleSeconds: settings.settleSeconds, sequential: true, referenceEvery: settings.referenceEvery };
    }
    if (group.kind === 'ingest') {
      return { ...base, runs: settings.ingestRounds, minRuns: settings.ingestRounds, durationSeconds: Math.max(4, settings.sliceSeconds), settleSeconds: 0, sequential: false };
    }
    const scenario = group.scenarios[0];
    const runs = ONE_ROUND.has(scenario) ? 1 : settings.rampRepeats;
    const seededLabels = scenario.startsWith('capacity-') ? group.labels.filter((l) => seeded[scenario]?.includes(l)) : [];
    const carried = carriedLabels(scenario, group.labels.filter((l) => !seededLabels.includes(l)), needs, carriable);
    return { ...base, runs, minRuns: runs, durationSeconds: settings.overloadStepSeconds, settleSeconds: 0, sequential: false, openLoopRoundSeconds: openLoopSeconds(scenario, settings), seeded: seededLabels.length, carried: carried.length, atChapterCapacity: atChapterCapacity(scenario, group.labels).length };
  });
  const estimated = drafts.map((draft) => {
    const { referenceEvery: _r, openLoopRoundSeconds: _o, seeded: _s, carried: _c, atChapterCapacity: _a, ...part } = draft;
    const slices = Object.fromEntries(part.scenarios.map((s) => [s, sliceSeconds(s, part.settleSeconds, part.durationSeconds)]));
    return { ...part, sliceSeconds: slices, seconds: { low: partSeconds(draft, draft.minRuns), high: partSeconds(draft, draft.runs) } };
  });
  const costSeconds = Math.round(costCounts * PLANNING.costCountSeconds);
  const budgetForParts = settings.budgetSeconds === null ? null : settings.budgetSeconds - costSeconds;
  const given = allowances(estimated, budgetForParts);
  const parts: PartPlan[] = estimated.map((p, i) => ({ ...p, allowanceSeconds: given[i] }));
  const low = costSeconds + parts.reduce((t, p) => t + p.seconds.low, 0);
  const high = costSeconds + parts.reduce((t, p) => t + p.allowanceSeconds, 0);
  return {
    settings,
    parts,
    costCounts,
    costSeconds,
    seconds: { low, high: Math.max(low, high) },
    overBudgetSeconds: settings.budgetSeconds === null ? 0 : Math.max(0, low - settings.budgetSeconds),
  };
}

function minutes(seconds: number): string {
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/** The plan as the edition prints it before starting (and alone with --dry-run). */
export function formatPlan(plan: EditionPlan): string {
  const s = plan.settings;
  const budget = s.budgetSeconds === null ? 'no time budget' : `budget ${minutes(s.budgetSeconds)}`;
  const rounds = (p: PartPlan) => (p.sequential ? `${p.minRuns}–${p.runs}` : `${p.runs}`);
  const given = (p: PartPlan) => (plan.overBudgetSeconds > 0 ? 'over budget: its minimum of rounds' : `budget gives ${minutes(p.allowanceSeconds)}`);
  const time = (p: PartPlan) => (p.sequential ? `${minutes(p.seconds.low)} – ${minutes(p.seconds.high)}, ${given(p)}` : minutes(p.seconds.low));
  const lines = [
    `Edition plan: ${plan.parts.length} part(s); slices of ${s.settleSeconds} + ${s.sliceSeconds} s (${s.pipeline} request(s) per write), ${s.minRounds}–${s.maxRounds} rounds (stop once the 95% interval is within ±${(s.halfWidth * 100).toFixed(1)}%, or when the part's share of the budget is spent; over budget, at the minimum), node:http reference before every ${s.referenceEvery} subject slices and nginx once per round; ramps × ${s.rampRepeats}; ${budget}`,
    ...plan.parts.map((p) => `  ${p.name.padEnd(22)} ${String(p.labels.length).padStart(2)} subject(s) × ${rounds(p)} round(s)  ${time(p)}`),
    `  ${'callgrind cost'.padEnd(22)} ${String(plan.costCounts).padStart(2)} count(s) to make${plan.costCounts === 0 ? ' (every chapter reused: same server tree)' : ''}  ${minutes(plan.costSeconds)}`,
    `Estimated: ${minutes(plan.seconds.low)} – ${minutes(plan.seconds.high)} (goal: at most 30 min)`,
    ...(plan.overBudgetSeconds > 0
      ? [`Over budget: even the minimum of rounds needs ${minutes(plan.overBudgetSeconds)} more than the budget of ${minutes(s.budgetSeconds!)} (raise --budget, or measure a part at a time with --scenarios)`]
      : []),
  ];
  return `${lines.join('\n')}\n`;
}
