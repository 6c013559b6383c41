/**
 * The gate's decision, pure: the head/base throughput ratio with its interval, the
 * instruction comparison, and the three-way verdict against a threshold.
 *
 * The throughput ratio is the bench's one paired ratio (bench/stats/paired-ratio.ts), head
 * as the subject and base as the reference: the gate's runs, in the order they ran (pairs
 * alternating which side goes first, schedule.ts), are slices at their positions; each head
 * run is divided by the base's throughput at that moment (log-linear between the base runs
 * before and after it), and the estimate is the median of those ratios with its
 * distribution-free 95% interval (order statistics). A drift common to both servers cancels
 * in each ratio; the alternation cancels an order effect.
 */
import { EXIT } from '../../cli/exit.ts';
import { orderStatisticRank } from '../stats/descriptive.ts';
import { pairedRatio, type PairedRatio, type Slice } from '../stats/paired-ratio.ts';
import type { Side } from './schedule.ts';

/** The confidence of the gate's intervals. */
export const CONFIDENCE = 0.95;

/**
 * The fewest pairs whose median ratio has a distribution-free interval at CONFIDENCE: with
 * fewer head runs even [min, max] covers the median less often than that, and the stats
 * module would fall back to a bootstrap that is too narrow to decide on (6 at 95%).
 */
export const MIN_PAIRS = (() => {
  let n = 2;
  while (orderStatisticRank(n, CONFIDENCE) === null) n++;
  return n;
})();

export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** The gate's verdicts as the project's exit codes (cli/exit.ts): a run that could not compare is a failure, like a regression. */
export const EXIT_CODE = { pass: EXIT.ok, fail: EXIT.failed, error: EXIT.failed, inconclusive: EXIT.inconclusive } as const;

export interface Decision {
  verdict: Verdict;
  /** 1 − threshold: the lowest acceptable throughput ratio. */
  limit: number;
  threshold: number;
  /** The point estimate the decision was made on (head/base throughput). */
  ratio: number;
  /** One sentence saying why, for people. */
  reason: string;
}

/**
 * fail: head is slower than the threshold with confidence (upper bound < 1 − threshold);
 * pass: the lower bound is at least 1 − threshold; otherwise inconclusive — the data
 * can't tell, which is neither a pass nor a failure.
 */
export function decide(throughput: PairedRatio, threshold: number): Decision {
  if (!(Number.isFinite(threshold) && threshold > 0 && threshold < 1)) {
    throw new Error(`threshold must be a fraction between 0 and 1 (e.g. 0.10), got ${threshold}`);
  }
  const limit = 1 - threshold;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const ci = `${Math.round(CONFIDENCE * 100)}% CI of head/base throughput ${throughput.low.toFixed(3)}–${throughput.high.toFixed(3)}`;
  if (throughput.high < limit) {
    return { verdict: 'fail', limit, threshold, ratio: throughput.ratio, reason: `head is slower than base by more than ${pct(threshold)}: the whole ${ci} is below ${limit.toFixed(3)}` };
  }
  if (throughput.low >= limit) {
    return { verdict: 'pass', limit, threshold, ratio: throughput.ratio, reason: `head is not slower than base by more than ${pct(threshold)}: the whole ${ci} is at or above ${limit.toFixed(3)}` };
  }
  return {
    verdict: 'inconclusive',
    limit,
    threshold,
    ratio: throughput.ratio,
    reason: `the ${ci} straddles the limit ${limit.toFixed(3)}: more pairs or longer runs are needed to decide`,
  };
}

/**
 * Everything the gate decides from its measurements: the throughput and p99 intervals,
 * the instruction comparison when there is one, and the combined verdict.
 */
export function evaluateGate(
  pairs: MeasuredPair[],
  threshold: number,
  cost: { evidence: CostEvidence; rule?: CostRule } | { unavailable: string },
): { throughput: PairedRatio; p99: PairedRatio | null; decision: CombinedDecision } {
  const { throughput, p99, decision } = evaluatePairs(pairs, threshold);
  const combined = 'evidence' in cost ? combineSignals(decision, assessCost(cost.evidence, cost.rule)) : combineSignals(decision, null, cost.unavailable);
  return { throughput, p99, decision: combined };
}

/** One pair of runs as the verdict needs it: which side ran first, and each run's figures. */
export interface MeasuredPair {
  order: readonly [Side, Side];
  base: { requestsPerSecond: number; p99LatencyUs: number | null };
  head: { requestsPerSecond: number; p99LatencyUs: number | null };
}

/** The runs of the pairs as slices at their place in the order they ran (pair i's first run at 2i, its second at 2i + 1). */
export function gateSlices(pairs: readonly MeasuredPair[], figure: (run: MeasuredPair['base']) => number): Record<Side, Slice[]> {
  const slices: Record<Side, Slice[]> = { base: [], head: [] };
  pairs.forEach((pair, i) => {
    pair.order.forEach((side, k) => slices[side].push({ position: 2 * i + k, value: figure(pair[side]) }));
  });
  return slices;
}

/** head ÷ base by the one paired ratio (module comment). */
function headOverBase(pairs: readonly MeasuredPair[], figure: (run: MeasuredPair['base']) => number): PairedRatio {
  const { head, base } = gateSlices(pairs, figure);
  const ratio = pairedRatio(head, base, CONFIDENCE);
  if (ratio === null) throw new Error('no base run to compare head with');
  return ratio;
}

/** The throughput and p99 intervals of measured pairs, and the decision on throughput. */
export function evaluatePairs(pairs: readonly MeasuredPair[], threshold: number): { throughput: PairedRatio; p99: PairedRatio | null; decision: Decision } {
  if (pairs.length < MIN_PAIRS) throw new Error(`a distribution-free ${Math.round(CONFIDENCE * 100)}% interval needs at least ${MIN_PAIRS} pairs, got ${pairs.length}`);
  for (const [i, p] of pairs.entries()) {
    for (const side of ['base', 'head'] as const) {
      const rps = p[side].requestsPerSecond;
      if (!(Number.isFinite(rps) && rps > 0)) throw new Error(`pair ${i + 1}: ${side} served no requests (${rps} req/s): a failed run is never a ratio`);
    }
  }
  const throughput = headOverBase(pairs, (run) => run.requestsPerSecond);
  const p99Known = pairs.every((p) => p.head.p99LatencyUs !== null && p.base.p99LatencyUs !== null && p.head.p99LatencyUs > 0 && p.base.p99LatencyUs > 0);
  const p99 = p99Known ? headOverBase(pairs, (run) => run.p99LatencyUs as number) : null;
  return { throughput, p99, decision: decide(throughput, threshold) };
}

/**
 * The exact signal: instructions per request counted by callgrind (bench/cost/), several
 * measured windows per side. Instruction counts do not depend on the machine's load, so
 * a few percent are visible where throughput needs ±10%.
 */
export interface CostEvidence {
  /** Instructions per request of each measured window. */
  base: number[];
  head: number[];
}

export interface CostRule {
  fail: number;
  report: number;
  maxNoise: number;
}

/** Default bounds of the instruction ratio head/base − 1. */
export const COST_RULE: CostRule = {
  /** More instructions per request than this fails the gate. */
  fail: 0.05,
  /** More than this is reported as a regression (the gate still passes on it). */
  report: 0.02,
  /** A side's two lowest windows further apart than this (relative to the lowest): its floor is not confirmed, the counts too noisy to decide. */
  maxNoise: 0.01,
};

export type CostStatus = 'fail' | 'regression' | 'pass' | 'noisy';

export interface CostAssessment {
  /** floor(head) / floor(base), a side's floor its lowest window: above 1 means head executes more instructions per request. */
  ratio: number;
  baseFloor: number;
  headFloor: number;
  /** The larger of the two sides' gaps between their two lowest windows, relative to the lowest (0 with one window). */
  noise: number;
  /** min(head) / max(base): above 1 + fail bound, every head window lies above every base window by more than the fail bound. */
  separation: number;
  status: CostStatus;
  reason: string;
}

/**
 * A side's instructions per request, and how well its windows confirm it (pure). What makes
 * the windows of one server process differ is work added to some of them, never work taken
 * away: work that lasts as long as the window, which under callgrind lasts longer on a busier
 * machine — the complete answers rebuilt when a request finds the second changed (the `Date`
 * header, chapter 12), loop turns that only a timer woke. On main (2026-12-06, two counts at
 * once as the gate makes them, 6 windows each) a window's cost per request rose with its
 * length: 278.2 k in 1.3 s, 286.1 k in 2.2 s, 2.6–2.8% apart in either process. So the floor
 * is the lowest window (the least of that work), and it is confirmed when the next lowest lies
 * within the noise bound of it; the median, used until then, took a window with more of it.
 */
export function floorOf(values: readonly number[]): { floor: number; gap: number } {
  const [lowest, next] = [...values].sort((a, b) => a - b);
  return { floor: lowest, gap: next === undefined ? 0 : (next - lowest) / lowest };
}

/** Compares the instruction counts of base and head (pure). */
export function assessCost(evidence: CostEvidence, rule: CostRule = COST_RULE): CostAssessment {
  for (const side of ['base', 'head'] as const) {
    const values = evidence[side];
    if (values.length === 0) throw new Error(`no instruction counts for ${side}`);
    if (values.some((v) => !(Number.isFinite(v) && v > 0))) throw new Error(`${side}: instructions per request must be positive numbers, got ${values.join(', ')}`);
  }
  if (!(rule.report > 0 && rule.report < rule.fail)) throw new Error(`the report bound (${rule.report}) must be positive and below the fail bound (${rule.fail})`);
  const base = floorOf(evidence.base);
  const head = floorOf(evidence.head);
  const noise = Math.max(base.gap, head.gap);
  const ratio = head.floor / base.floor;
  const separation = Math.min(...evidence.head) / Math.max(...evidence.base);
  const change = ratio - 1;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const signed = `${change >= 0 ? '+' : '−'}${pct(Math.abs(change))}`;
  const common = { ratio, baseFloor: base.floor, headFloor: head.floor, noise, separation };
  if (noise > rule.maxNoise) {
    // Noisy windows cannot measure a small change, but a rise far above their own spread needs no precision.
    if (separation > 1 + rule.fail) {
      return {
        ...common,
        status: 'fail',
        reason: `head executes ${signed} instructions per request: every head window is above every base window by more than the ${pct(rule.fail)} allowed (lowest head ÷ highest base = ${separation.toFixed(3)}), although the windows of one side vary by ${pct(noise)}`,
      };
    }
    return { ...common, status: 'noisy', reason: `the two lowest windows of one side differ by ${pct(noise)} (more than ${pct(rule.maxNoise)}): its floor is not confirmed, too uncertain to decide on` };
  }
  if (ratio > 1 + rule.fail) return { ...common, status: 'fail', reason: `head executes ${signed} instructions per request, more than the ${pct(rule.fail)} allowed` };
  if (ratio > 1 + rule.report) return { ...common, status: 'regression', reason: `head executes ${signed} instructions per request: a regression above ${pct(rule.report)}, within the ${pct(rule.fail)} allowed` };
  return { ...common, status: 'pass', reason: `head executes ${signed} instructions per request (at most +${pct(rule.report)}: no regression)` };
}

export type DecidingSignal = 'instructions' | 'throughput';

export interface CombinedDecision extends Decision {
  /** The signal that decided the verdict. */
  decidedBy: DecidingSignal;
  /** The throughput-only decision, as before the exact signal existed. */
  throughput: Decision;
  cost: CostAssessment | null;
  /** Why the exact signal took no part (no valgrind, too noisy), when it did not. */
  costNote: string | null;
}

/**
 * Both signals into one verdict (pure):
 *   1. instructions +more than the fail bound (windows steady, or every head window
 *      above every base window by more than it) → fail (instructions);
 *   2. throughput interval wholly below the limit → fail (throughput: system calls,
 *      waiting, contention — what instructions cannot see);
 *   3. throughput estimate below the limit, interval straddling it → inconclusive
 *      (throughput): instructions never excuse a throughput drop they cannot see;
 *   4. reliable instruction counts otherwise      → pass (instructions), a rise above the
 *      report bound reported as a regression;
 *   5. no usable instruction counts               → the throughput decision alone.
 */
export function combineSignals(throughput: Decision, cost: CostAssessment | null, costUnavailable: string | null = null): CombinedDecision {
  const base = { limit: throughput.limit, threshold: throughput.threshold, ratio: throughput.ratio, throughput, cost };
  if (cost?.status === 'fail') return { ...base, verdict: 'fail', decidedBy: 'instructions', reason: cost.reason, costNote: null };
  if (throughput.verdict === 'fail') {
    return { ...base, verdict: 'fail', decidedBy: 'throughput', reason: `${throughput.reason}${cost ? ` (instructions: ${cost.reason})` : ''}`, costNote: cost?.status === 'noisy' ? cost.reason : costUnavailable };
  }
  if (cost && cost.status !== 'noisy' && throughput.verdict === 'inconclusive' && throughput.ratio < throughput.limit) {
    return {
      ...base,
      verdict: 'inconclusive',
      decidedBy: 'throughput',
      reason: `${throughput.reason}; head's throughput estimate ${throughput.ratio.toFixed(3)} is below the limit, a drop the steady instruction count (${cost.reason}) does not excuse`,
      costNote: null,
    };
  }
  if (cost && cost.status !== 'noisy') {
    const alsoThroughput = throughput.verdict === 'inconclusive' ? '; the throughput interval alone could not decide' : '';
    return { ...base, verdict: 'pass', decidedBy: 'instructions', reason: `${cost.reason}${alsoThroughput}`, costNote: null };
  }
  return { ...base, verdict: throughput.verdict, decidedBy: 'throughput', reason: throughput.reason, costNote: cost?.reason ?? costUnavailable ?? 'the instruction count was not measured' };
}
