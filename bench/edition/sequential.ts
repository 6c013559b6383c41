/**
 * Sequential stopping and the order of an edition's round (pure).
 *
 * A subject stops once the 95% interval of its figure — the paired ratio to the reference
 * for hot, mix and close; the throughput where there is no reference — lies within
 * ±halfWidth of its median, after at least minRounds clean slices (the order-statistic
 * interval exists from 6). Looking after every round and stopping at the first tight
 * interval makes that interval a little optimistic; the minimum of rounds and the
 * editions' spread (three editions, bench/README.md) are the check on it.
 */
import type { SummaryFigures } from '../store.ts';
import { closedLoopScenarioSeconds } from './plan.ts';

export interface StoppingRule {
  halfWidth: number;
  minRounds: number;
}

/** Whether a summary's interval is tight enough to stop measuring it. */
export function preciseEnough(figures: SummaryFigures, byRatio: boolean, rule: StoppingRule): boolean {
  if (figures.runs < rule.minRounds) return false;
  const [median, low, high] = byRatio ? [figures.ratio_median, figures.ratio_ci_low, figures.ratio_ci_high] : [figures.rps_median, figures.rps_ci_low, figures.rps_ci_high];
  if (median === null || low === null || high === null || !(median > 0)) return false;
  return (median - low) / median <= rule.halfWidth && (high - median) / median <= rule.halfWidth;
}

/**
 * One round: the subjects rotated by the round, the first yardstick (node:http) before every
 * group of `every` of them — every subject slice has a reference slice at most `every`
 * slices away on each side (the next round opens with one), so the paired ratio
 * interpolates over a short stretch — and the other yardsticks (nginx) once, at the round's
 * start: their ratios pair over a round, and they cost one slice per round instead of one
 * per group (session 32: nginx's 36 hot slices, a fifth of the part, gave no ratio at all on
 * the AMD machine, where wrk is its limit).
 */
export function roundWithReference<T>(subjects: T[], yardsticks: T[], round: number, every: number): T[] {
  if (subjects.length === 0) return [];
  const shift = round % subjects.length;
  const rotated = [...subjects.slice(shift), ...subjects.slice(0, shift)];
  const [reference, ...others] = yardsticks;
  const out: T[] = [...others];
  rotated.forEach((subject, i) => {
    if (i % every === 0 && reference !== undefined) out.push(reference);
    out.push(subject);
  });
  return out;
}

/** Where a subject stands after a round. */
export interface Standing {
  label: string;
  figures: SummaryFigures;
}

export interface Allocation {
  rule: StoppingRule & { maxRounds: number };
  byRatio: boolean;
  /** Seconds left of the scenario's share of the budget (Infinity: no budget). */
  secondsLeft: number;
  /** Seconds of one slice. */
  sliceSeconds: number;
  /** Yardstick slices a round with this many subjects adds. */
  yardstickSlices: (subjects: number) => number;
}

/** The interval's half-width relative to the median (the wider side); Infinity when there is none. */
export function relativeHalfWidth(figures: SummaryFigures, byRatio: boolean): number {
  const [median, low, high] = byRatio ? [figures.ratio_median, figures.ratio_ci_low, figures.ratio_ci_high] : [figures.rps_median, figures.rps_ci_low, figures.rps_ci_high];
  if (median === null || low === null || high === null || !(median > 0)) return Infinity;
  return Math.max(median - low, high - median) / median;
}

/**
 * Which subjects stop after this round (pure): those precise enough or at
 * the maximum of rounds; of the others, those below the minimum always go on, and the rest
 * go on widest interval first while the next round still fits the seconds left — so the
 * budget buys rounds where the intervals are widest, never for a ratio already tight.
 */
export function subjectsToStop(standings: Standing[], a: Allocation): string[] {
  const rounds = (s: Standing) => s.figures.runs + s.figures.failed_runs + (s.figures.disturbed_runs ?? 0);
  const stop = new Set<string>();
  const must: Standing[] = [];
  const may: Standing[] = [];
  for (const s of standings) {
    if (rounds(s) >= a.rule.maxRounds || preciseEnough(s.figures, a.byRatio, a.rule)) stop.add(s.label);
    else if (s.figures.runs < a.rule.minRounds) must.push(s);
    else may.push(s);
  }
  may.sort((x, y) => relativeHalfWidth(y.figures, a.byRatio) - relativeHalfWidth(x.figures, a.byRatio));
  const cost = (k: number) => (k + a.yardstickSlices(k)) * a.sliceSeconds;
  let going = must.length;
  for (const s of may) {
    if (cost(going + 1) <= a.secondsLeft) going++;
    else stop.add(s.label);
  }
  return standings.filter((s) => stop.has(s.label)).map((s) => s.label);
}

/**
 * The stopping rule of one part under its share of the budget: the part's seconds are
 * shared by its scenarios in turn, in proportion to their slices' planned length (the same
 * subjects and rounds: what each needs), what one leaves going to the next; a slice's length
 * is the last round's, measured (the plan's estimate until a round has been timed). Until
 * edition 38 the seconds left were split evenly: hot (3.24 s a slice) took half of hot+mix's
 * and ran 8 rounds where the plan gave it 6, 59 slices (3.2 minutes) the mix then lacked.
 * A scenario's share never reaches into the minimum of the scenarios after it (their
 * warm-ups and minRounds rounds, planned): edition 51's hot bought a 7th round for 19 subjects
 * (42 s) out of seconds that were the mix's warm-ups, and the part ended 28 s over its plan.
 */
export function budgetedStopping(
  part: { scenarios: string[]; sliceSeconds: Record<string, number>; warmupSeconds: number },
  rule: StoppingRule & { maxRounds: number },
  options: { deadline: number; now: () => number; byRatio: (scenario: string) => boolean; yardstickSlices: (scenario: string, subjects: number) => number },
): (scenario: string, standings: Standing[]) => string[] {
  let current = '';
  let scenarioDeadline = options.deadline;
  let lastRound = NaN;
  let slice = 0;
  return (scenario, standings) => {
    const now = options.now();
    if (scenario !== current) {
      current = scenario;
      const left = part.scenarios.slice(part.scenarios.indexOf(scenario));
      const share = part.sliceSeconds[scenario] / left.reduce((t, s) => t + part.sliceSeconds[s], 0);
      const n = standings.length;
      const reserved = left.slice(1).reduce((t, s) => t + closedLoopScenarioSeconds(n, options.yardstickSlices(s, n), part.warmupSeconds, rule.minRounds, part.sliceSeconds[s]), 0) * 1000;
      const remaining = options.deadline - now;
      scenarioDeadline = Number.isFinite(options.deadline) ? now + Math.min(remaining * share, remaining - reserved) : Infinity;
      slice = part.sliceSeconds[scenario];
    } else {
      const slices = standings.length + options.yardstickSlices(scenario, standings.length);
      if (slices > 0 && Number.isFinite(lastRound)) slice = (now - lastRound) / 1000 / slices;
    }
    lastRound = now;
    return subjectsToStop(standings, {
      rule,
      byRatio: options.byRatio(scenario),
      secondsLeft: (scenarioDeadline - now) / 1000,
      sliceSeconds: slice,
      yardstickSlices: (k) => options.yardstickSlices(scenario, k),
    });
  };
}

