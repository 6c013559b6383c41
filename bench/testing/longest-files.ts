/** The test files that run for minutes, started before the others (sequencer.ts says why). */

/** Longest first: callgrind starts, gate runs, bench sessions, a real book build in a fresh clone. */
export const LONGEST_FILES: readonly string[] = [
  'bench/gate/gate.test.ts',
  'bench/cost/measure.test.ts',
  'bench/cli.test.ts',
  'generator/reproduce.test.ts',
  'bench/scenarios/tails.test.ts',
];

/** Where `file` (relative to the checkout) comes in LONGEST_FILES; every other file after them. */
export function startRank(file: string): number {
  const rank = LONGEST_FILES.indexOf(file);
  return rank === -1 ? LONGEST_FILES.length : rank;
}
