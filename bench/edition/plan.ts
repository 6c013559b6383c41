/**
 * The plan of an edition (pure): from what the book cites (book-needs.ts) to the parts the
 * bench runs, each one call of the runner into the edition's session, with its settings
 * and its time. Why each setting: bench/README.md, "Editions".
 *
 * - hot, mix, close (ratios to the reference): short slices, the reference after every
 *   `referenceEvery` subject slices so each slice has a reference close by, and sequential
 *   stopping: a subject runs rounds until its ratio's 95% interval is within ±halfWidth of
 *   its median (at least minRounds, at most maxRounds).
 * - hot-x4, hot-x16 (no reference): the same slices, stopping on the throughput's interval.
 * - ingest: a few rounds of its two phases.
 * - overload: one round of the steps per subject, on the whole core (no quota).
 * - fairness: one round per subject: its steps are long (40 polite searches each), not repeated.
 * - adaptive-ramp, scaling-ramp: `rampRepeats` rounds, so the pages report rates with intervals.
 */
import { OPEN_LOOP_DEFAULTS } from '../scenarios/open-loop.ts';
import { FAIRNESS_DEFAULTS, fairnessSteps } from '../scenarios/fairness.ts';
import type { OpenLoopScenarioName } from '../scenarios/index.ts';
import type { Need } from './book-needs.ts';

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
  /** A reference slice after every this many subject slices. */
  referenceEvery: number;
  rampRepeats: number;
  ingestRounds: number;
  /** Seconds of each overload step (and of the capacity run before the steps). */
  overloadStepSeconds: number;
  /** Closed-loop connections (steady scenarios, capacity runs). */
  connections: number;
  /** Requests per write on each keep-alive connection (wrk) in hot, mix and hot-xN: the generator must outrun the reference. */
  pipeline: number;
}

export const EDITION_DEFAULTS: EditionSettings = {
  sliceSeconds: 2,
  settleSeconds: 1,
  warmupSeconds: 2,
  minRounds: 6,
  maxRounds: 12,
  halfWidth: 0.03,
  referenceEvery: 3,
  rampRepeats: 5,
  ingestRounds: 3,
  overloadStepSeconds: 3,
  connections: 32,
  pipeline: 4,
};

/**
 * Planning constants (seconds), from the committed sessions: preparing a subject (worktree,
 * cached install, build, start) took 0.6–1.4 s in sessions 16 and 30; a slice of session 16
 * took its settle + duration + about 0.1 s (128 slices of 2 + 4 s in 13.0 min); a callgrind
 * count 51 s of wall time at 2 jobs (cost session 9: 10 counts in 511 s).
 */
export const PLANNING = { prepareSeconds: 1.5, ownProviderSeconds: 3, sliceOverheadSeconds: 0.15, pollWaitSeconds: 2, drainSeconds: 1, costCountSeconds: 51 } as const;

export type PartKind = 'paired' | 'steady' | 'ingest' | 'open-loop';

type PartDraft = Omit<PartPlan, 'seconds'> & { referenceEvery?: number; openLoopRoundSeconds?: number };

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
}

export interface EditionPlan {
  settings: EditionSettings;
  parts: PartPlan[];
  /** Callgrind counts still to make (chapter × scenario), the others reused from an earlier edition. */
  costCounts: number;
  seconds: { low: number; high: number };
}

export const SCENARIO_KIND: Record<string, PartKind> = {
  hot: 'paired', mix: 'paired', close: 'paired',
  'hot-x4': 'steady', 'hot-x16': 'steady', sweep: 'steady',
  // No ratio to the yardsticks (they serve the identity answer): compared with hot and mix of the same session.
  'hot-gzip': 'steady', 'mix-gzip': 'steady',
  ingest: 'ingest',
  overload: 'open-loop', 'adaptive-ramp': 'open-loop', 'scaling-ramp': 'open-loop', fairness: 'open-loop',
};
const OWN_PROVIDER = new Set(['hot-x4', 'hot-x16', 'ingest']);

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
  // Fairness: a capacity run, then its steps (2× and 5×, polite on new and on kept-alive connections), each a fixed length.
  if (scenario === 'fairness') return s.overloadStepSeconds + fairnessSteps(FAIRNESS_DEFAULTS).length * (FAIRNESS_DEFAULTS.stepSeconds + PLANNING.drainSeconds);
  const defaults = OPEN_LOOP_DEFAULTS[scenario as OpenLoopScenarioName];
  const step = defaults.stepSeconds ?? s.overloadStepSeconds;
  return s.overloadStepSeconds + defaults.multipliers.length * step + defaults.quietSeconds + PLANNING.drainSeconds;
}

/** The seconds a part takes with `rounds` rounds of every subject. */
function partSeconds(part: PartDraft, rounds: number): number {
  const n = part.labels.length;
  let total = n * PLANNING.prepareSeconds;
  const slice = part.settleSeconds + part.durationSeconds + PLANNING.sliceOverheadSeconds;
  for (const scenario of part.scenarios) {
    if (OWN_PROVIDER.has(scenario)) total += n * PLANNING.ownProviderSeconds;
    if (part.kind === 'paired') {
      const referenceSlices = Math.ceil(n / (part.referenceEvery ?? 1));
      total += (n + 1) * part.warmupSeconds + rounds * (n + referenceSlices) * slice;
    } else if (part.kind === 'steady') {
      total += n * part.warmupSeconds + rounds * n * slice;
    } else if (part.kind === 'ingest') {
      total += n * part.warmupSeconds + rounds * n * 2 * (part.durationSeconds + PLANNING.pollWaitSeconds);
    } else {
      total += n * (part.warmupSeconds + rounds * part.openLoopRoundSeconds!);
    }
  }
  return Math.round(total);
}

/** The edition's parts and its time, from the needs, the settings and the counts still to make. */
export function planEdition(needs: Need[], settings: EditionSettings = EDITION_DEFAULTS, costCounts = 0): EditionPlan {
  const parts = groupNeeds(needs).map((group): PartPlan => {
    const base = { name: group.scenarios.join('+'), ...group, warmupSeconds: settings.warmupSeconds };
    let draft: PartDraft;
    if (group.kind === 'paired' || group.kind === 'steady') {
      draft = { ...base, runs: settings.maxRounds, minRuns: settings.minRounds, durationSeconds: settings.sliceSeconds, settleSeconds: settings.settleSeconds, sequential: true, referenceEvery: settings.referenceEvery };
    } else if (group.kind === 'ingest') {
      draft = { ...base, runs: settings.ingestRounds, minRuns: settings.ingestRounds, durationSeconds: Math.max(4, settings.sliceSeconds), settleSeconds: 0, sequential: false };
    } else {
      const scenario = group.scenarios[0];
      const runs = scenario === 'overload' || scenario === 'fairness' ? 1 : settings.rampRepeats;
      draft = { ...base, runs, minRuns: runs, durationSeconds: settings.overloadStepSeconds, settleSeconds: 0, sequential: false, openLoopRoundSeconds: openLoopSeconds(scenario, settings) };
    }
    const { referenceEvery: _r, openLoopRoundSeconds: _o, ...part } = draft;
    return { ...part, seconds: { low: partSeconds(draft, draft.minRuns), high: partSeconds(draft, draft.runs) } };
  });
  const cost = Math.round(costCounts * PLANNING.costCountSeconds);
  return {
    settings,
    parts,
    costCounts,
    seconds: { low: cost + parts.reduce((t, p) => t + p.seconds.low, 0), high: cost + parts.reduce((t, p) => t + p.seconds.high, 0) },
  };
}

function minutes(seconds: number): string {
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/** The plan as the edition prints it before starting (and alone with --dry-run). */
export function formatPlan(plan: EditionPlan): string {
  const s = plan.settings;
  const lines = [
    `Edition plan: ${plan.parts.length} part(s); slices of ${s.settleSeconds} + ${s.sliceSeconds} s (${s.pipeline} request(s) per write), ${s.minRounds}–${s.maxRounds} rounds (stop once the 95% interval is within ±${(s.halfWidth * 100).toFixed(1)}%), reference after every ${s.referenceEvery} subject slices; ramps × ${s.rampRepeats}`,
    ...plan.parts.map((p) => `  ${p.name.padEnd(22)} ${String(p.labels.length).padStart(2)} subject(s) × ${p.sequential ? `${p.minRuns}–${p.runs}` : p.runs} round(s)  ${minutes(p.seconds.low)} – ${minutes(p.seconds.high)}`),
    `  ${'callgrind cost'.padEnd(22)} ${String(plan.costCounts).padStart(2)} count(s) to make${plan.costCounts === 0 ? ' (every chapter reused: same server tree)' : ''}  ${minutes(Math.round(plan.costCounts * PLANNING.costCountSeconds))}`,
    `Estimated: ${minutes(plan.seconds.low)} – ${minutes(plan.seconds.high)} (goal: at most 30 min)`,
  ];
  return `${lines.join('\n')}\n`;
}
