/**
 * The "Measurements" appendix: every benchmark session with its machine, tool, runs and
 * settings, one section each (`#session-<id>`), which every measured number in the book
 * links to. Generated from the database at each build, never written by hand.
 */
import type { SqlValue } from 'sql.js';
import { escapeHtml } from '../directives/escape.ts';
import { formatNumber } from '../directives/format.ts';
import type { QueryRunner } from '../directives/query.ts';

export const MEASUREMENTS_PAGE = 'measurements.html';
export const MEASUREMENTS_TITLE = 'Measurements';

type Row = Record<string, SqlValue>;

function rows(queries: QueryRunner, sql: string): Row[] {
  const result = queries.run(sql);
  return result.rows.map((row) => Object.fromEntries(result.columns.map((column, i) => [column, row[i]])));
}

/** The appendix's body fragment. */
export function measurementsFragment(queries: QueryRunner): string {
  const sessions = rows(
    queries,
    // Every column but settings_json, read below one session at a time: an edition's settings run to tens of MB
    // (the mix's paths), and all sessions' in one query outlast the query time limit.
    `SELECT s.id, s.kind, s.started_at, s.finished_at, s.status, s.harness_commit, s.harness_dirty, s.tool, s.tool_version,
            m.cpu_model, m.cores, m.memory_bytes, m.kernel, m.os, m.node_version,
            (SELECT COUNT(*) FROM runs r WHERE r.session_id = s.id AND r.status = 'ok') AS ok_runs,
            (SELECT COUNT(*) FROM runs r WHERE r.session_id = s.id AND r.status <> 'ok') AS failed_runs,
            (SELECT COUNT(*) FROM overload_steps o WHERE o.session_id = s.id) AS overload_steps,
            (SELECT COUNT(*) FROM costs c WHERE c.session_id = s.id) AS cost_counts,
            (SELECT SUM(c.windows * c.processes) FROM costs c WHERE c.session_id = s.id) AS cost_windows,
            (SELECT group_concat(subject) FROM (SELECT r.subject FROM runs r WHERE r.session_id = s.id
               UNION SELECT o.subject FROM overload_steps o WHERE o.session_id = s.id
               UNION SELECT c.subject FROM costs c WHERE c.session_id = s.id)) AS subjects
       FROM sessions s LEFT JOIN machines m ON m.fingerprint = s.machine_fingerprint
      ORDER BY s.id`,
  );
  for (const session of sessions) session.settings_json = rows(queries, `SELECT settings_json FROM sessions WHERE id = ${Number(session.id)}`)[0]?.settings_json ?? null;
  const intro =
    `<h1 id="measurements">${MEASUREMENTS_TITLE}</h1>\n<p>Every benchmark session in the database, as recorded by the bench runner. ` +
    `Each measured number in the book names its session on hover and links here.</p>`;
  if (sessions.length === 0) return `${intro}\n<p class="no-measurement">The database holds no measurements yet.</p>`;
  return `${intro}\n${sessions.map(sessionSection).join('\n')}`;
}

function sessionSection(session: Row): string {
  const id = Number(session.id);
  const text = (value: SqlValue) => (value === null ? '—' : escapeHtml(String(value)));
  const machine =
    session.cpu_model === null
      ? 'not recorded'
      : `${text(session.cpu_model)}, ${text(session.cores)} cores, ${formatNumber(Number(session.memory_bytes) / 1024 ** 3, 'decimal')} GiB; ` +
        `${text(session.os)} ${text(session.kernel)}; Node.js ${text(session.node_version)}`;
  const entries: [string, string][] = [
    ['Started', `<time datetime="${text(session.started_at)}">${text(session.started_at)}</time>`],
    ['Finished', session.finished_at === null ? '—' : `<time datetime="${text(session.finished_at)}">${text(session.finished_at)}</time>`],
    ['Status', escapeHtml(statusText(String(session.status), session.settings_json === null ? null : String(session.settings_json)))],
    ['Kind', text(session.kind ?? null)],
    ['Load generator', `${text(session.tool)} ${text(session.tool_version)}`],
    ['Machine', machine],
    ['Harness commit', `<code>${text(session.harness_commit)}</code>${Number(session.harness_dirty) === 1 ? ' (with uncommitted changes)' : ''}`],
    ['Runs', `${formatNumber(Number(session.ok_runs), 'comma')} measured, ${formatNumber(Number(session.failed_runs), 'comma')} failed`],
    ...(Number(session.overload_steps) > 0
      ? [['Open-loop overload steps', `${formatNumber(Number(session.overload_steps), 'comma')} (recorded as steps, not as runs)`] as [string, string]]
      : []),
    // A cost session counts instructions under callgrind: its counts, not runs, are its measurements.
    ...(Number(session.cost_counts) > 0
      ? [['Instruction counts', `${formatNumber(Number(session.cost_counts), 'comma')} (subject × scenario, ${formatNumber(Number(session.cost_windows), 'comma')} callgrind windows; recorded as counts, not as runs)`] as [string, string]]
      : []),
    ['Subjects', text(session.subjects)],
  ];
  return (
    `<section class="measurement-session" id="session-${id}">\n<h2 id="session-${id}-heading">Session ${id}</h2>\n<dl>\n` +
    entries.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join('\n') +
    `\n</dl>\n<details><summary>Settings</summary><pre><code>${escapeHtml(prettySettings(session.settings_json))}</code></pre></details>\n</section>`
  );
}

/** A session's status; a withdrawn one with why (bench/withdraw.ts keeps the reason in its settings). */
export function statusText(status: string, settingsJson: string | null): string {
  if (status !== 'withdrawn' || settingsJson === null) return status;
  let reason: unknown;
  try {
    reason = (JSON.parse(settingsJson) as { withdrawn?: { reason?: unknown } }).withdrawn?.reason;
  } catch {
    reason = undefined;
  }
  return `withdrawn, never cited${typeof reason === 'string' ? `: ${reason}` : ''}`;
}

/** Lists longer than this are shown by their first items and their length (a session's 100,000 request paths would make a 37 MB page). */
const LIST_SHOWN = 10;

export function prettySettings(json: SqlValue): string {
  if (typeof json !== 'string') return '—';
  try {
    return JSON.stringify(JSON.parse(json), shortenLongLists, 2);
  } catch {
    return json;
  }
}

function shortenLongLists(_key: string, value: unknown): unknown {
  if (!Array.isArray(value) || value.length <= LIST_SHOWN) return value;
  return [...value.slice(0, LIST_SHOWN), `… ${formatNumber(value.length - LIST_SHOWN, 'comma')} more (${formatNumber(value.length, 'comma')} in all)`];
}
