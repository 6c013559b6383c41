// The service's objective (issue 23: stated in the preface, used everywhere): p99 of served
// requests ≤ 50 ms and at most 0.1% errors. "Capacity" is the highest offered rate (open
// loop) at which a step meets it — measured by bench/overload/capacity-search.ts, never given.
export interface Objective {
  p99Ms: number;
  /** Highest share of offered requests not served with a 2xx (rejections, failures, unanswered). */
  maxErrorRate: number;
}

export const SERVICE_OBJECTIVE: Objective = { p99Ms: 50, maxErrorRate: 0.001 };

/** What a probe's verdict needs: the counts of its measured seconds and their served latencies' p99. */
export interface ProbeFigures { offered: number; served: number; p99Us: number | null; generatorBehind: boolean }

/** Whether a probe meets the objective, and why (or why not) in words. */
export function judge(figures: ProbeFigures, objective: Objective): { meets: boolean; verdict: string } {
  if (figures.generatorBehind) return { meets: false, verdict: 'the generator sent late: not the server\'s figure' };
  if (figures.offered === 0) return { meets: false, verdict: 'nothing offered' };
  const errorRate = (figures.offered - figures.served) / figures.offered;
  if (errorRate > objective.maxErrorRate) return { meets: false, verdict: `errors ${(errorRate * 100).toFixed(2)}% > ${objective.maxErrorRate * 100}%` };
  if (figures.p99Us === null) return { meets: false, verdict: 'no request served' };
  const p99Ms = figures.p99Us / 1000;
  if (p99Ms > objective.p99Ms) return { meets: false, verdict: `p99 ${p99Ms.toFixed(1)} ms > ${objective.p99Ms} ms` };
  return { meets: true, verdict: `p99 ${p99Ms.toFixed(1)} ms ≤ ${objective.p99Ms} ms, errors ${((errorRate) * 100).toFixed(2)}% ≤ ${objective.maxErrorRate * 100}%` };
}

export interface SearchSettings {
  /** The first rate offered, req/s. */
  startRate: number;
  /** The search stops once the bracket [met, missed] is narrower than this share of `met`. */
  precision: number;
  /** Lowest rate tried when even the start misses; below it the capacity is "none". */
  minRate: number;
  /** Highest rate tried (the generator's own limit is far below a runaway doubling). */
  maxRate: number;
  maxProbes: number;
  /**
   * The first step away from the start while no bracket exists, as a share of the rate: 1
   * doubles (and halves); a smaller one (a start seeded near the capacity) steps by it and
   * doubles the step after each probe (0.1, 0.2, 0.4 … at most 1). Absent: 1.
   */
  firstStep?: number;
}

// From 1,000 req/s (edition 34: chapter 1 served 2,558 req/s of the mix closed-loop, the
// others 2,776–21,725), to a tenth: a chapter near 20,000 req/s is found in 9 probes, so an
// edition can search every chapter (about 45 s each) — the capacity is quoted to within 10%.
export const DEFAULT_SEARCH: SearchSettings = { startRate: 1000, precision: 0.1, minRate: 10, maxRate: 200_000, maxProbes: 16 };

/**
 * The next rate to offer after `probes` (in order), or null when the search is done:
 * doubling from the start while the objective is met, halving while it is missed and nothing
 * met yet (from a seeded start: steps of `firstStep`, doubled after each probe), then bisecting between the highest rate that met it and the lowest above that missed.
 */
export function nextRate(probes: readonly { rate: number; meets: boolean }[], settings: SearchSettings = DEFAULT_SEARCH): number | null {
  if (probes.length === 0) return settings.startRate;
  if (probes.length >= settings.maxProbes) return null;
  const met = probes.filter((p) => p.meets).map((p) => p.rate);
  const best = met.length === 0 ? null : Math.max(...met);
  const missedAbove = probes.filter((p) => !p.meets && (best === null || p.rate > best)).map((p) => p.rate);
  const lowestMiss = missedAbove.length === 0 ? null : Math.min(...missedAbove);
  let rate: number;
  // Before a bracket, every probe so far went the same way: the step grows with their number.
  const step = Math.min(1, (settings.firstStep ?? 1) * 2 ** (probes.length - 1));
  // Rounded towards the other end of the bracket, so a bracket of one step is within it (1e-6: 2640 × 1.4 is 3695.99…).
  if (best === null) rate = Math.ceil((lowestMiss as number) / (1 + step) - 1e-6);
  else if (lowestMiss === null) rate = Math.floor(best * (1 + step) + 1e-6);
  else {
    if ((lowestMiss - best) / best <= settings.precision) return null;
    rate = Math.round((best + lowestMiss) / 2);
  }
  if (rate < settings.minRate || rate > settings.maxRate || probes.some((p) => p.rate === rate)) return null;
  return rate;
}

/** The search's answer: the highest rate that met the objective, null when none did. */
export function capacityOf(probes: readonly { rate: number; meets: boolean }[]): number | null {
  const met = probes.filter((p) => p.meets).map((p) => p.rate);
  return met.length === 0 ? null : Math.max(...met);
}
