/**
 * The errata page, "What moved since the last edition": for each chapter and scenario,
 * the latest session against the previous one on the same machine, each change labelled
 * "moved" (the two 95% confidence intervals do not overlap) or "within noise" (they do).
 */
import type { SqlValue } from 'sql.js';
import { escapeHtml } from '../directives/escape.ts';
import { formatNumber } from '../directives/format.ts';
import type { QueryRunner } from '../directives/query.ts';

export const ERRATA_PAGE = 'errata.html';
export const ERRATA_TITLE = 'What moved since the last edition';

export interface Measurement {
  sessionId: number;
  startedAt: string;
  median: number;
  ciLow: number | null;
  ciHigh: number | null;
}

export type Verdict = 'moved' | 'within noise' | 'no interval' | 'first measurement';

/** Moved only when the intervals are disjoint; without both intervals nothing is claimed. */
export function verdict(previous: Measurement | null, latest: Measurement): Verdict {
  if (!previous) return 'first measurement';
  if (previous.ciLow === null || previous.ciHigh === null || latest.ciLow === null || latest.ciHigh === null) return 'no interval';
  return latest.ciLow > previous.ciHigh || latest.ciHigh < previous.ciLow ? 'moved' : 'within noise';
}

const COMPARISONS = `
WITH ranked AS (
  SELECT su.subject, su.scenario, se.machine_fingerprint AS machine, su.session_id, se.started_at,
         su.rps_median, su.rps_ci_low, su.rps_ci_high,
         ROW_NUMBER() OVER (PARTITION BY su.subject, su.scenario, se.machine_fingerprint ORDER BY su.session_id DESC) AS n
    FROM summaries su JOIN sessions se ON se.id = su.session_id
   WHERE su.experiment = '' AND su.runs > 0 AND su.rps_median IS NOT NULL)
SELECT l.subject, l.scenario, COALESCE(m.cpu_model, l.machine) AS machine,
       l.session_id, l.started_at, l.rps_median, l.rps_ci_low, l.rps_ci_high,
       p.session_id, p.started_at, p.rps_median, p.rps_ci_low, p.rps_ci_high
  FROM ranked l
  JOIN chapters c ON c.tag = l.subject
  LEFT JOIN ranked p ON p.subject = l.subject AND p.scenario = l.scenario AND p.machine = l.machine AND p.n = 2
  LEFT JOIN machines m ON m.fingerprint = l.machine
 WHERE l.n = 1
 ORDER BY c.chapter_number, l.scenario, machine`;

function measurement(values: SqlValue[]): Measurement | null {
  const [sessionId, startedAt, median, ciLow, ciHigh] = values;
  if (sessionId === null || typeof median !== 'number') return null;
  return {
    sessionId: Number(sessionId),
    startedAt: String(startedAt),
    median,
    ciLow: typeof ciLow === 'number' ? ciLow : null,
    ciHigh: typeof ciHigh === 'number' ? ciHigh : null,
  };
}

function describe(m: Measurement | null, measurementsHref: string): string {
  if (!m) return '—';
  const interval = m.ciLow === null || m.ciHigh === null ? '' : ` <span class="ci">[${formatNumber(m.ciLow, 'comma')}–${formatNumber(m.ciHigh, 'comma')}]</span>`;
  return `<a href="${measurementsHref}#session-${m.sessionId}">${formatNumber(m.median, 'comma')}</a>${interval}<br><small>session ${m.sessionId}, ${escapeHtml(m.startedAt.slice(0, 10))}</small>`;
}

/** The errata page's body fragment; `measurementsHref` links each figure to its session. */
export function errataFragment(queries: QueryRunner, measurementsHref: string): string {
  const result = queries.run(COMPARISONS);
  const intro =
    `<h1 id="errata">${ERRATA_TITLE}</h1>\n<p>For each chapter and scenario: the latest measurement of its throughput (requests per second, ` +
    `median, with its 95% confidence interval) against the previous one on the same machine. A change is "moved" only when the two ` +
    `intervals do not overlap; otherwise it is within the noise of the measurement.</p>`;
  if (result.rows.length === 0) return `${intro}\n<p class="no-measurement">The database holds no measurements yet.</p>`;
  const rows = result.rows.map((row) => {
    const [subject, scenario, machine] = row;
    const latest = measurement(row.slice(3, 8)) as Measurement;
    const previous = measurement(row.slice(8, 13));
    const label = verdict(previous, latest);
    const change = previous ? `${latest.median >= previous.median ? '+' : ''}${formatNumber((100 * (latest.median - previous.median)) / previous.median, 'decimal')}%` : '—';
    return (
      `<tr><td>${escapeHtml(String(subject))}</td><td>${escapeHtml(String(scenario))}</td><td>${escapeHtml(String(machine))}</td>` +
      `<td>${describe(previous, measurementsHref)}</td><td>${describe(latest, measurementsHref)}</td>` +
      `<td style="text-align: right">${change}</td><td class="verdict verdict-${label.replace(/ /g, '-')}">${label}</td></tr>`
    );
  });
  return (
    `${intro}\n<figure class="table"><table>\n<thead><tr><th scope="col">Chapter</th><th scope="col">Scenario</th><th scope="col">Machine</th>` +
    `<th scope="col">Previous</th><th scope="col">Latest</th><th scope="col">Change</th><th scope="col">Verdict</th></tr></thead>\n<tbody>\n` +
    `${rows.join('\n')}\n</tbody>\n</table></figure>`
  );
}
