/**
 * The reduced table as text: a Markdown table (which also reads well in a terminal),
 * one per process, self share first because the rows are ranked by it.
 */
import type { ProfileRow } from './reduce.ts';
import type { ProfileThreads } from './run.ts';

const percent = (share: number | null): string => (share === null ? '' : `${(share * 100).toFixed(1)} %`);
const escapeCell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** `file:line`, the file alone when the line is unknown, `file (bundle:line)` when the line is the bundle's. */
export function placeOf(row: Pick<ProfileRow, 'file' | 'line' | 'bundle'>): string {
  if (row.line === null) return row.file;
  return row.bundle ? `${row.file} (${row.bundle}:${row.line})` : `${row.file}:${row.line}`;
}

const HEADER = ['#', 'function', 'where', 'self', 'total', 'self ms'];
const RIGHT_ALIGNED = new Set([0, 3, 4, 5]);

/** One process's rows as an aligned Markdown table. */
export function formatTable(rows: ProfileRow[]): string {
  const cells = rows.map((r) => [String(r.rank), escapeCell(r.function), escapeCell(placeOf(r)), percent(r.selfShare), percent(r.totalShare), r.selfMs.toFixed(1)]);
  const widths = HEADER.map((h, c) => Math.max(h.length, 3, ...cells.map((row) => row[c].length)));
  const pad = (text: string, c: number) => (RIGHT_ALIGNED.has(c) ? text.padStart(widths[c]) : text.padEnd(widths[c]));
  const line = (row: string[]) => `| ${row.map(pad).join(' | ')} |`;
  const rule = `| ${widths.map((w, c) => (RIGHT_ALIGNED.has(c) ? '-'.repeat(w - 1) + ':' : '-'.repeat(w))).join(' | ')} |`;
  return [line(HEADER), rule, ...cells.map(line)].join('\n');
}

/** Every process's table, each under a heading naming the process (in the rows' order). */
export function formatProfiles(rows: ProfileRow[]): string {
  const processes = [...new Set(rows.map((r) => r.process))];
  if (processes.length === 1) return formatTable(rows);
  return processes.map((p) => `process ${p}\n\n${formatTable(rows.filter((r) => r.process === p))}`).join('\n\n');
}

/** The line under a profile that says what it cannot show: the CPU of the server's other threads over the same window. */
export function formatThreads(threads: ProfileThreads): string {
  const total = threads.loopCpuSeconds + threads.otherCpuSeconds;
  const other = total > 0 ? ` (${((100 * threads.otherCpuSeconds) / total).toFixed(1)}% of the server's CPU)` : '';
  return `CPU by thread over the window (/proc): event loop ${threads.loopCpuSeconds.toFixed(2)} s, other threads ${threads.otherCpuSeconds.toFixed(2)} s${other}: `
    + 'libuv\'s pool (zlib), V8\'s helpers and workers, which the table above (the event loop\'s samples) does not show';
}
