/**
 * The edition's own table at its end: every subject's ratio to the node:http reference on
 * hot and mix with its 95% interval, from this edition's summaries — not the headline of the
 * cited edition, which a session's report would print (and which is not this edition until it
 * is complete).
 */
import { subjectLabel } from '../scenarios/chapter-capacities.ts';
import { formatTable } from '../session/report.ts';

export interface RatioRow {
  subject: string;
  experiment: string;
  scenario: string;
  ratio_median: number | null;
  ratio_ci_low: number | null;
  ratio_ci_high: number | null;
  ratio_note: string | null;
}

const RATIO_SCENARIOS = ['hot', 'mix'] as const;

/** One line per subject (tag, or tag+experiment), a column per scenario: "1.319 [1.234–1.551]", or why there is none (pure). */
export function formatEditionRatios(rows: RatioRow[]): string {
  const bySubject = new Map<string, Map<string, RatioRow>>();
  for (const row of rows) {
    const label = subjectLabel(row.subject, row.experiment);
    const scenarios = bySubject.get(label) ?? new Map<string, RatioRow>();
    scenarios.set(row.scenario, row);
    bySubject.set(label, scenarios);
  }
  const cell = (row: RatioRow | undefined): string => {
    if (row === undefined) return 'not measured';
    if (row.ratio_median === null) return `none${row.ratio_note ? ` (${row.ratio_note})` : ''}`;
    const interval = row.ratio_ci_low === null || row.ratio_ci_high === null ? '' : ` [${row.ratio_ci_low.toFixed(3)}–${row.ratio_ci_high.toFixed(3)}]`;
    return `${row.ratio_median.toFixed(3)}${interval}`;
  };
  // formatTable aligns its first and last columns left, the others right: an empty last column keeps the ratios right-aligned.
  const lines = [...bySubject].map(([label, scenarios]) => [label, ...RATIO_SCENARIOS.map((s) => cell(scenarios.get(s))), '']);
  return formatTable(['subject', ...RATIO_SCENARIOS.map((s) => `× reference, ${s} [95% CI]`), ''], lines);
}
