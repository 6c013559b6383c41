/**
 * @metric — one live number, inline:
 *   <!-- @metric:tag="v1-baseline" field="p99_latency_us" format="short" -->
 *   <!-- @metric:query="SELECT max(requests_per_second) FROM run_results" -->
 */
import type { SqlValue } from 'sql.js';
import type { DirectiveContext, DirectiveDefinition, DirectiveOutput } from './directive.ts';
import { DirectiveProblem } from './errors.ts';
import { escapeHtml } from './escape.ts';
import { checkFormat, defaultFormatFor, formatNumber } from './format.ts';
import type { QueryResult } from './query.ts';
import { linkToSession, sourceTitle, type FigureSource } from './sources.ts';

export const DEFAULT_FIELD = 'baseline_rps';
export const MISSING_TEXT = 'no measurement yet';

/** The whole `versions` view, read once per page (a chapter may hold dozens of @metric). */
function versionsOf(context: DirectiveContext): QueryResult {
  let versions = context.cache.get('versions') as QueryResult | undefined;
  if (!versions) {
    versions = context.queries.run('SELECT * FROM versions ORDER BY chapter_number');
    context.cache.set('versions', versions);
  }
  return versions;
}

/** The `versions` row of a chapter, or a DirectiveProblem naming the known tags. */
export function versionRow(context: DirectiveContext, tag: string): { columns: string[]; row: SqlValue[] } {
  const { columns, rows } = versionsOf(context);
  const tagIndex = columns.indexOf('tag');
  const row = rows.find((r) => r[tagIndex] === tag);
  if (!row) {
    const known = rows.map((r) => String(r[tagIndex]));
    throw new DirectiveProblem(`unknown tag ${tag} (known: ${known.join(', ') || 'none — the database lists no chapters'})`);
  }
  return { columns, row };
}

/** Text of a measured value; a non-numeric value is shown as text (escaped by the caller). */
export function formatValue(value: SqlValue, field: string, format: string | undefined): string {
  if (typeof value === 'number') return formatNumber(value, format ? checkFormat(format) : defaultFormatFor(field));
  if (typeof value === 'string') {
    if (format) throw new DirectiveProblem(`format "${format}" needs a number, but ${field} is the text ${JSON.stringify(value)}`);
    return value;
  }
  throw new DirectiveProblem(`${field} holds binary data, which cannot be shown`);
}

export function missingMeasurement(context: DirectiveContext, what: string, attributes: string): DirectiveOutput {
  if (context.strict) throw new DirectiveProblem(`${what} has no measurement yet (run npm run bench)`);
  return {
    html: `<span class="metric metric-missing"${attributes}>${MISSING_TEXT}</span>`,
    text: MISSING_TEXT,
  };
}

/** The session, runs and (for throughput) interval behind a `versions` row's figure. */
function figureSource(columns: string[], row: SqlValue[], field: string): FigureSource | null {
  const at = (name: string) => {
    const value = row[columns.indexOf(name)];
    return typeof value === 'number' ? value : null;
  };
  const sessionId = at('session_id');
  if (sessionId === null) return null;
  const throughput = field === 'baseline_rps';
  return { sessionId, runs: at('measured_runs'), ciLow: throughput ? at('rps_ci_low') : null, ciHigh: throughput ? at('rps_ci_high') : null, unit: 'req/s' };
}

export const metric: DirectiveDefinition = {
  name: 'metric',
  placement: 'inline',
  keys: { tag: {}, field: {}, format: {}, query: {} },
  render(attributes, context) {
    const tag = attributes.get('tag');
    const query = attributes.get('query');
    const format = attributes.get('format');
    if (format !== undefined) checkFormat(format);
    if (tag !== undefined && query !== undefined) throw new DirectiveProblem('give either "tag" or "query", not both');

    if (query !== undefined) {
      if (attributes.has('field')) throw new DirectiveProblem('"field" applies to "tag"; a "query" selects its own value');
      const result = context.queries.run(query);
      if (result.rows.length === 0) throw new DirectiveProblem('query returned no rows');
      if (result.rows.length !== 1 || result.columns.length !== 1) {
        throw new DirectiveProblem(
          `query must return exactly one row and one column (got ${result.rows.length} rows × ${result.columns.length} columns)`,
        );
      }
      const column = result.columns[0];
      const value = result.rows[0][0];
      const dataAttributes = ` data-field="${escapeHtml(column)}"`;
      if (value === null) return missingMeasurement(context, `the query's ${column}`, dataAttributes);
      const text = formatValue(value, column, format);
      return { html: `<span class="metric"${dataAttributes}>${escapeHtml(text)}</span>`, text };
    }

    if (tag === undefined) throw new DirectiveProblem('needs "tag" (a chapter tag) or "query"');
    const field = attributes.get('field') ?? DEFAULT_FIELD;
    const { columns, row } = versionRow(context, tag);
    const index = columns.indexOf(field);
    if (index === -1) throw new DirectiveProblem(`unknown field "${field}" (fields of versions: ${columns.join(', ')})`);
    const dataAttributes = ` data-tag="${escapeHtml(tag)}" data-field="${escapeHtml(field)}"`;
    const value = row[index];
    if (value === null) return missingMeasurement(context, tag, dataAttributes);
    const text = formatValue(value, field, format);
    const source = figureSource(columns, row, field);
    if (!source) return { html: `<span class="metric"${dataAttributes}>${escapeHtml(text)}</span>`, text };
    const span = `<span class="metric"${dataAttributes}${sourceTitle(context, source)}>${escapeHtml(text)}</span>`;
    return { html: linkToSession(context, source.sessionId, span), text };
  },
};
