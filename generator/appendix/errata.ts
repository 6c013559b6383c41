/**
 * The errata page, "What moved since the last edition": each subject's ratio to the reference
 * in the cited edition against the previous complete edition of the same machine (view
 * `edition_ratios`), judged against the noise measured between editions — never against the
 * interval of one session, which only says how far the slices of that session spread.
 *
 * Chapters are fixed commits, so between two editions only the harness (and the machine's
 * day) can move a figure:
 * - the same harness on both sides (its tree, sessions.harness_tree: the measuring files, not the
 *   commit, which a change of the book alone moves; the commit where no tree was recorded) is the
 *   same code measured twice: its difference is noise by definition, never "moved", and it is
 *   what the noise is measured from;
 * - across harnesses, a change is "moved" when it exceeds the noise band: twice the
 *   spread (root mean square of the log ratio) of the same-harness pairs, times √2 for a
 *   difference of two editions. Without a same-harness pair nothing is claimed.
 */
import type { SqlValue } from 'sql.js';
import { escapeHtml } from '../directives/escape.ts';
import { formatNumber } from '../directives/format.ts';
import type { QueryRunner } from '../directives/query.ts';

export const ERRATA_PAGE = 'errata.html';
export const ERRATA_TITLE = 'What moved since the last edition';

/** One subject's ratio to the reference in one edition. */
export interface EditionRatio {
  sessionId: number;
  startedAt: string;
  harnessCommit: string;
  /** The harness tree where recorded, else the commit: equal on both sides, the same harness measured twice. */
  harness: string;
  ratio: number;
}

export type Verdict = 'moved' | 'within noise' | 'same code and harness: noise' | 'no noise measured yet' | 'first edition' | 'not in the cited edition';

/** The between-edition spread of a log ratio from the same-harness pairs: RMS of log(latest / previous) ÷ √2, or null without a pair. */
export function betweenEditionSpread(sameHarnessLogChanges: number[]): number | null {
  if (sameHarnessLogChanges.length === 0) return null;
  const meanSquare = sameHarnessLogChanges.reduce((sum, d) => sum + d * d, 0) / sameHarnessLogChanges.length;
  return Math.sqrt(meanSquare / 2);
}

/** The band a change between two editions must leave to be "moved": ±2 spreads of a difference (2·√2·σ), as a log ratio. */
export function noiseBand(spread: number): number {
  return 2 * Math.SQRT2 * spread;
}

export function verdict(previous: EditionRatio | null, latest: EditionRatio, spread: number | null): Verdict {
  if (!previous) return 'first edition';
  if (previous.harness === latest.harness) return 'same code and harness: noise';
  if (spread === null) return 'no noise measured yet';
  return Math.abs(Math.log(latest.ratio / previous.ratio)) > noiseBand(spread) ? 'moved' : 'within noise';
}

/** Each subject × experiment × scenario: the latest two complete editions' ratios (edition_ratios), newest first. */
const PAIRS = `
WITH numbered AS (
  SELECT r.*, ROW_NUMBER() OVER (PARTITION BY r.subject, r.experiment, r.scenario ORDER BY r.edition_number DESC) AS k
    FROM edition_ratios r WHERE r.ratio_median IS NOT NULL)
SELECT l.subject, l.experiment, l.scenario, l.machine,
       l.session_id, l.started_at, l.harness_commit, l.harness, l.ratio_median,
       p.session_id, p.started_at, p.harness_commit, p.harness, p.ratio_median
  FROM numbered l LEFT JOIN numbered p ON p.subject = l.subject AND p.experiment = l.experiment AND p.scenario = l.scenario AND p.k = 2
  LEFT JOIN chapters c ON c.tag = l.subject
 WHERE l.k = 1
 ORDER BY c.chapter_number, l.subject, l.experiment, l.scenario`;

/** Every consecutive pair of editions with one harness (tree, else commit): the same code measured twice. */
const SAME_HARNESS_CHANGES = `
WITH ordered AS (
  SELECT r.subject, r.experiment, r.scenario, r.ratio_median, r.harness,
         LAG(r.ratio_median) OVER (PARTITION BY r.subject, r.experiment, r.scenario ORDER BY r.edition_number) AS previous_ratio,
         LAG(r.harness) OVER (PARTITION BY r.subject, r.experiment, r.scenario ORDER BY r.edition_number) AS previous_harness
    FROM edition_ratios r WHERE r.ratio_median IS NOT NULL)
SELECT ratio_median / previous_ratio FROM ordered WHERE previous_harness = harness AND previous_ratio > 0`;

function editionRatio(values: SqlValue[]): EditionRatio | null {
  const [sessionId, startedAt, harnessCommit, harness, ratio] = values;
  if (sessionId === null || typeof ratio !== 'number') return null;
  return { sessionId: Number(sessionId), startedAt: String(startedAt), harnessCommit: String(harnessCommit), harness: String(harness), ratio };
}

function describe(m: EditionRatio | null, measurementsHref: string): string {
  if (!m) return '—';
  return `<a href="${measurementsHref}#session-${m.sessionId}">${formatNumber(100 * m.ratio, 'decimal')}%</a><br><small>session ${m.sessionId}, ${escapeHtml(m.startedAt.slice(0, 10))}, harness ${escapeHtml(m.harnessCommit.slice(0, 7))}</small>`;
}

/** The errata page's body fragment; `measurementsHref` links each figure to its session. */
export function errataFragment(queries: QueryRunner, measurementsHref: string): string {
  const changes = queries.run(SAME_HARNESS_CHANGES).rows.map((row) => Math.log(Number(row[0])));
  const spread = betweenEditionSpread(changes);
  const band = spread === null ? null : Math.expm1(noiseBand(spread));
  const noise =
    band === null
      ? 'No two editions were measured with one harness yet, so the noise between editions is not measured and no change is called "moved".'
      : `Measured from ${formatNumber(changes.length, 'comma')} pair${changes.length === 1 ? '' : 's'} of editions with one harness, a change must exceed ±${formatNumber(100 * band, 'decimal')}% to be "moved".`;
  const intro =
    `<h1 id="errata">${ERRATA_TITLE}</h1>\n<p>For each chapter, experiment and scenario: its share of the reference server's throughput ` +
    `(the paired ratio of one edition) in the latest complete edition of the comparison machine, against the edition before it. ` +
    `The chapters are fixed commits, so only the harness or the machine's day can move a figure: two editions with one harness (its files unchanged, whatever else their commits changed) ` +
    `are the same code measured twice, and their difference is the noise between editions, never "moved". ${noise} ` +
    `A subject the cited edition did not measure (an experiment no page reads any more) shows its own last two editions, marked "not in the cited edition".</p>`;
  const result = queries.run(PAIRS);
  const cited = queries.run('SELECT session_id FROM cited_edition').rows[0]?.[0] ?? null;
  if (result.rows.length === 0) return `${intro}\n<p class="no-measurement">The database holds no complete edition yet.</p>`;
  const rows = result.rows.map((row) => {
    const [subject, experiment, scenario, machine] = row;
    const latest = editionRatio(row.slice(4, 9)) as EditionRatio;
    const previous = editionRatio(row.slice(9, 14));
    const label: Verdict = cited !== null && latest.sessionId !== Number(cited) ? 'not in the cited edition' : verdict(previous, latest, spread);
    const change = previous ? `${latest.ratio >= previous.ratio ? '+' : ''}${formatNumber((100 * (latest.ratio - previous.ratio)) / previous.ratio, 'decimal')}%` : '—';
    const name = experiment === '' || experiment === null ? String(subject) : `${String(subject)}+${String(experiment)}`;
    return (
      `<tr><td>${escapeHtml(name)}</td><td>${escapeHtml(String(scenario))}</td><td>${escapeHtml(String(machine))}</td>` +
      `<td>${describe(previous, measurementsHref)}</td><td>${describe(latest, measurementsHref)}</td>` +
      `<td style="text-align: right">${change}</td><td class="verdict verdict-${label.replace(/[^a-z]+/g, '-')}">${label}</td></tr>`
    );
  });
  return (
    `${intro}\n<figure class="table"><table>\n<thead><tr><th scope="col">Subject</th><th scope="col">Scenario</th><th scope="col">Machine</th>` +
    `<th scope="col">Previous edition</th><th scope="col">Latest edition</th><th scope="col">Change</th><th scope="col">Verdict</th></tr></thead>\n<tbody>\n` +
    `${rows.join('\n')}\n</tbody>\n</table></figure>`
  );
}
