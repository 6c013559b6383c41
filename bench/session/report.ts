/**
 * The end-of-run tables: per subject × scenario the median throughput with its
 * 95% interval, CV, ratio to the reference, p99 and honesty flags; and the
 * per-chapter overhead outside the load.
 */
import { NOT_RUN } from '../../db/schema.ts';
import type { BenchStore, PreparationRow } from '../store.ts';
import { formatProfileReport } from './profile.ts';
import type { Session, SummaryLine } from './types.ts';


const FLAG_TEXT: Record<string, string> = {
  'loadgen-bottleneck': 'load generator was the bottleneck',
  errors: 'errors/non-2xx (not counted as throughput)',
  'littles-law': "Little's law off by >20%",
  failed: 'failed runs',
  'sweep-limit-not-reached': 'sweep: limit not reached',
  'ingest-ratio': 'ratio = p99 under ingest / quiet p99',
  'ingest-no-document': 'ingest: a run saw no document served',
  timeouts: 'requests timed out (in no latency percentile)',
  'generator-behind': 'open loop: the generator sent late in some seconds (flagged rows: its figure, not the server\'s)',
  'offered-short': 'fairness: the greedy client offered under 90% of its rate in some step (flagged rows: not at their level)',
};

export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const num = (v: unknown, digits = 0): string => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '—');

export function formatSummaryTable(store: BenchStore, sessionId: number, lines: SummaryLine[]): string {
  const rows = lines.map((l) => {
    const s = store.rows('SELECT * FROM summaries WHERE session_id = ? AND subject = ? AND experiment = ? AND scenario = ?', [sessionId, l.subject, l.experiment, l.scenario])[0] ?? {};
    const rps = s.scenario === 'sweep' ? s.capacity_rps : s.rps_median;
    const ci = s.rps_ci_low === null || s.rps_ci_low === undefined ? '' : ` [${num(s.rps_ci_low)}–${num(s.rps_ci_high)}]`;
    const flags = [...l.flags.map((f) => FLAG_TEXT[f] ?? f)];
    if (typeof s.ratio_note === 'string') flags.push(`no ratio: ${s.ratio_note}`);
    if (s.scenario === 'sweep' && s.capacity_connections !== null && s.capacity_connections !== undefined) flags.unshift(`capacity ${s.capacity_connections} connections`);
    return [
      l.label,
      l.scenario,
      `${num(rps)}${ci}`,
      s.rps_cv === null || s.rps_cv === undefined ? '—' : `${num((s.rps_cv as number) * 100, 1)}%`,
      s.ratio_median === null && s.ratio_note ? 'none' : num(s.ratio_median, 3),
      s.p99_latency_us === null || s.p99_latency_us === undefined ? '—' : `${num((s.p99_latency_us as number) / 1000, 2)} ms`,
      `${num(s.runs)}/${num((s.runs as number) + (s.failed_runs as number))}`,
      flags.join('; '),
    ];
  });
  return formatTable(['chapter', 'scenario', 'median req/s [95% CI]', 'CV', 'ratio to ref', 'p99', 'ok runs', 'flags'], rows);
}

export function formatOverheadTable(entries: { label: string; prep: PreparationRow }[]): string {
  const f = (v: number | null) => (v === null ? '—' : v.toFixed(2));
  return formatTable(
    ['chapter', 'worktree', 'install', 'build', 'start+ready', 'total', 'notes'],
    entries.map(({ label, prep }) => [
      label,
      f(prep.worktree_seconds),
      f(prep.install_seconds),
      f(prep.build_seconds),
      f(prep.start_seconds),
      f(prep.total_seconds),
      [prep.install_cache_hit === null ? '' : prep.install_cache_hit ? 'install cache hit' : 'fresh install', prep.status === 'failed' ? `FAILED: ${prep.failure?.split('\n')[0]}` : prep.status === NOT_RUN ? `NOT RUN: ${prep.failure}` : ''].filter(Boolean).join('; '),
    ]),
  );
}

/** The end-of-session tables and the headline of the comparison machine. */
export function report(session: Session): void {
  const { io, store, machine, request } = session;
  if (session.overhead.length > 0) io.stdout.write(`\nPer-chapter overhead outside the load (seconds):\n${formatOverheadTable(session.overhead)}\n`);
  if (session.profiles.length > 0) io.stdout.write(`\nWhere the time goes (CPU profile of one extra, unrecorded run; top 5 by self time, shares of all sampled time):\n${formatProfileReport(session.profiles, 5)}\n`);
  if (session.lines.length > 0) io.stdout.write(`\nSession ${session.id} (${machine.cpu_model}, ${machine.cores} cores, ${request.tool.name} ${request.tool.version}):\n${formatSummaryTable(store, session.id, session.lines)}\n`);
  // An edition's part is not the headline: the edition ends with its own table (edition/run.ts), and the
  // versions view reads the cited edition, which is not this one until it is complete.
  if (session.edition) return;
  const headline = store.rows('SELECT tag, baseline_rps, improvement_percent, reference_ratio, ratio_note, session_id, machine FROM versions ORDER BY chapter_number');
  if (headline.length === 0) return;
  io.stdout.write(`\nHeadline (hot, median req/s of the latest session that measured each chapter on ${String(headline[0].machine ?? 'no machine yet')}):\n`);
  for (const h of headline) {
    const rps = h.baseline_rps as number | null;
    const imp = h.improvement_percent as number | null;
    const ratio = h.reference_ratio === null ? (h.ratio_note ? `, ${String(h.ratio_note)}` : '') : `, ${(h.reference_ratio as number).toFixed(3)} × reference`;
    io.stdout.write(`  ${String(h.tag).padEnd(24)} ${rps === null ? 'not measured' : `${rps.toFixed(0)} req/s${imp === null ? '' : ` (${imp >= 0 ? '+' : ''}${imp.toFixed(1)}% vs chapter 1)`}${ratio} [session ${h.session_id}]`}\n`);
  }
}
