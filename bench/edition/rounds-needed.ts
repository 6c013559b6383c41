/**
 * How many rounds a ratio's ±3% 95% interval needs, read from an edition's clean slices
 * (bench/README.md, "Editions": the minimum of rounds): per subject, its paired ratio to the
 * node:http reference (paired-ratio.ts, as the summaries compute it) from its first k clean
 * slices, k = 2, 3, …, and the first k whose interval lies within ±halfWidth of the median.
 * Below 6 slices the order-statistic interval does not reach 95% and medianConfidenceInterval
 * bootstraps: at 4 or 5 slices that interval is the slices' range, whose own distribution-free
 * coverage of the median is 87.5% and 93.75% — the report says which k it is read at.
 *
 *   node --import tsx bench/edition/rounds-needed.ts data/bench.sqlite 40 hot
 */
import { fileURLToPath } from 'node:url';
import { REFERENCE_SUBJECT, NGINX_SUBJECT } from '../../db/schema.ts';
import { pairedRatio } from '../stats/paired-ratio.ts';
import { intervalMethod, median } from '../stats/descriptive.ts';
import { readSlices, type Slice } from './slice-seconds.ts';
import { sessionScenarioArgs } from './script-args.ts';

/** Per subject: the interval's relative half-width (wider side) with its first k clean slices, k from 2. */
export function halfWidthsByRounds(slices: Slice[]): Map<string, number[]> {
  const reference = slices.filter((s) => s.label === REFERENCE_SUBJECT).map((s) => ({ position: s.sequence, value: s.rps }));
  const bySubject = new Map<string, Slice[]>();
  for (const s of slices) if (s.label !== REFERENCE_SUBJECT && s.label !== NGINX_SUBJECT) bySubject.set(s.label, [...(bySubject.get(s.label) ?? []), s]);
  const out = new Map<string, number[]>();
  if (reference.length === 0) return out;
  for (const [label, own] of bySubject) {
    const ordered = [...own].sort((a, b) => a.sequence - b.sequence).map((s) => ({ position: s.sequence, value: s.rps }));
    const widths: number[] = [];
    for (let k = 2; k <= ordered.length; k++) {
      const paired = pairedRatio(ordered.slice(0, k), reference)!;
      widths.push(Math.max(paired.ratio - paired.low, paired.high - paired.ratio) / paired.ratio);
    }
    out.set(label, widths);
  }
  return out;
}

/**
 * The fewest slices, `from` or more, whose interval is within ±halfWidth (widths[0] is k = 2),
 * or null when none of those measured is. From 4 by default: two or three values give a
 * bootstrap interval that is their range, tight by chance when two slices happen to agree.
 */
export function roundsNeeded(widths: number[], halfWidth: number, from = 4): number | null {
  for (let k = Math.max(2, from); k - 2 < widths.length; k++) if (widths[k - 2] <= halfWidth) return k;
  return null;
}

/** The report: per subject the rounds needed, then how many subjects were within ±halfWidth at 4, 5, 6 and at their last slice. */
export function formatRoundsNeeded(widths: Map<string, number[]>, halfWidth = 0.03): string {
  const pct = (x: number) => `±${(100 * x).toFixed(1)}%`;
  const lines = [...widths].sort(([a], [b]) => a.localeCompare(b)).map(([label, w]) => {
    const needed = roundsNeeded(w, halfWidth);
    const at = (k: number) => (w[k - 2] === undefined ? '—' : pct(w[k - 2]));
    return `${label.padEnd(40)} ${String(w.length + 1).padStart(2)} slices  at 4: ${at(4).padStart(7)}  at 6: ${at(6).padStart(7)}  last: ${pct(w.at(-1)!).padStart(7)}  needs ${needed === null ? 'more than it had' : `${needed}`}`;
  });
  const count = (k: number) => [...widths.values()].filter((w) => w[k - 2] !== undefined && w[k - 2] <= halfWidth).length;
  const last = [...widths.values()].filter((w) => w.at(-1)! <= halfWidth).length;
  const needed = [...widths.values()].map((w) => roundsNeeded(w, halfWidth)).filter((n): n is number => n !== null);
  const medianAt = (k: number) => {
    const at = [...widths.values()].map((w) => w[k - 2]).filter((w): w is number => w !== undefined && Number.isFinite(w));
    return at.length === 0 ? '—' : `${pct(median(at))} (${at.length} subjects)`;
  };
  lines.push(`within ${pct(halfWidth)}: ${count(4)} of ${widths.size} subjects at 4 slices (${intervalMethod(4)}), ${count(5)} at 5, ${count(6)} at 6 (${intervalMethod(6)}), ${last} at their last;`
    + ` from 4 slices on, ${needed.length} got there${needed.length === 0 ? '' : ` (median ${median(needed)} slices)`}; median half-width at 4 slices ${medianAt(4)}, at 6 ${medianAt(6)}`);
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { dbPath, sessionId, scenario } = sessionScenarioArgs('rounds-needed.ts');
  process.stdout.write(formatRoundsNeeded(halfWidthsByRounds(await readSlices(dbPath, sessionId, scenario))));
}
