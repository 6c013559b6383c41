/**
 * The order of the gate's runs: pairs alternate which side goes first (ABBA ABBA…),
 * so a warm-up or order effect (the second run of a pair seeing a hotter machine,
 * say) lands on base and head equally often and cancels in the paired ratio.
 */
export type Side = 'base' | 'head';

/** For each pair, the two sides in the order they run: [base, head], [head, base], … */
export function alternatingPairs(pairs: number): Array<[Side, Side]> {
  if (!Number.isInteger(pairs) || pairs < 1) throw new Error(`pairs must be a positive integer, got ${pairs}`);
  return Array.from({ length: pairs }, (_, i) => (i % 2 === 0 ? ['base', 'head'] : ['head', 'base']));
}

/** Seconds of load a gate run plans (pure): each server's warm-up, then both runs of every pair. The callgrind count and the builds come on top. */
export function plannedLoadSeconds(plan: { pairs: number; durationSeconds: number; warmupSeconds: number }): number {
  return 2 * plan.warmupSeconds + 2 * plan.pairs * plan.durationSeconds;
}
