/**
 * @table — an HTML table from SQL:
 *   <!-- @table:query="SELECT tag AS Version, baseline_rps AS RPS FROM versions" title="…"
 *        columns='{"RPS": {"label": "Requests/s", "align": "right", "format": "comma", "class": "num"}}' -->
 * Column names become headers; numbers are formatted like @metric (explicit `format`,
 * else the default for the column's name); every cell is HTML-escaped; NULL is shown
 * as an em dash with class "missing", never as a number.
 */
import type { SqlValue } from 'sql.js';
import { isPlainObject, parseJsonObject, type DirectiveDefinition } from './directive.ts';
import { DirectiveProblem } from './errors.ts';
import { escapeHtml } from './escape.ts';
import { checkFormat, defaultFormatFor, formatNumber, type NumberFormat } from './format.ts';
import type { QueryResult } from './query.ts';
import { linkToSession, sourceTitle } from './sources.ts';

export interface ColumnSpec {
  label?: string;
  class?: string;
  align?: 'left' | 'right' | 'center';
  format?: NumberFormat;
}

const COLUMN_KEYS = ['label', 'class', 'align', 'format'];
const ALIGNMENTS = ['left', 'right', 'center'];

/** Validates the `columns` JSON against the query's columns. */
export function parseColumnSpecs(json: Record<string, unknown>, columns: string[]): Record<string, ColumnSpec> {
  const specs: Record<string, ColumnSpec> = {};
  for (const [name, entry] of Object.entries(json)) {
    if (!columns.includes(name)) throw new DirectiveProblem(`"columns" names "${name}", which the query does not return (columns: ${columns.join(', ')})`);
    if (!isPlainObject(entry)) throw new DirectiveProblem(`"columns" entry "${name}" must be a JSON object`);
    for (const [key, value] of Object.entries(entry)) {
      if (!COLUMN_KEYS.includes(key)) throw new DirectiveProblem(`"columns" entry "${name}" has unknown key "${key}" (allowed: ${COLUMN_KEYS.join(', ')})`);
      if (typeof value !== 'string') throw new DirectiveProblem(`"columns" entry "${name}": "${key}" must be a string`);
    }
    const spec = entry as Record<string, string>;
    if (spec.align !== undefined && !ALIGNMENTS.includes(spec.align)) {
      throw new DirectiveProblem(`"columns" entry "${name}": align must be one of ${ALIGNMENTS.join(', ')}`);
    }
    specs[name] = {
      label: spec.label,
      class: spec.class,
      align: spec.align as ColumnSpec['align'],
      format: spec.format === undefined ? undefined : checkFormat(spec.format),
    };
  }
  return specs;
}

function cellAttributes(spec: ColumnSpec | undefined, extraClass?: string): string {
  const classes = [spec?.class, extraClass].filter(Boolean).join(' ');
  let attributes = classes ? ` class="${escapeHtml(classes)}"` : '';
  if (spec?.align) attributes += ` style="text-align: ${spec.align}"`;
  return attributes;
}

function cellText(value: SqlValue, column: string, spec: ColumnSpec | undefined): string {
  if (typeof value === 'number') return formatNumber(value, spec?.format ?? defaultFormatFor(column));
  if (typeof value === 'string') return value;
  throw new DirectiveProblem(`column "${column}" holds binary data, which cannot be shown`);
}

/**
 * A query column of this name is not shown: it names the session each row's numbers
 * were measured in, so their cells carry that session's provenance.
 */
export const SESSION_COLUMN = 'session_id';

/** How a measured cell shows where it comes from (sources.ts, bound to the page). */
export interface CellProvenance {
  title(sessionId: number): string;
  link(sessionId: number, html: string): string;
}

/** The table's HTML (pure). */
export function renderTable(result: QueryResult, specs: Record<string, ColumnSpec>, title?: string, provenance?: CellProvenance): string {
  if (result.rows.length === 0) throw new DirectiveProblem('query returned no rows');
  const sessionAt = result.columns.indexOf(SESSION_COLUMN);
  const shown = result.columns.map((_, i) => i).filter((i) => i !== sessionAt);
  const head = shown
    .map((i) => result.columns[i])
    .map((column) => `<th scope="col"${cellAttributes(specs[column])}>${escapeHtml(specs[column]?.label ?? column)}</th>`)
    .join('');
  const body = result.rows
    .map((row) => {
      const sessionId = sessionAt === -1 ? null : row[sessionAt];
      const cells = shown.map((i) => {
        const value = row[i];
        const column = result.columns[i];
        const spec = specs[column];
        if (value === null) return `<td${cellAttributes(spec, 'missing')}>—</td>`;
        const text = escapeHtml(cellText(value, column, spec));
        if (typeof value !== 'number' || typeof sessionId !== 'number' || !provenance) return `<td${cellAttributes(spec)}>${text}</td>`;
        return `<td${cellAttributes(spec)}${provenance.title(sessionId)}>${provenance.link(sessionId, text)}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');
  const caption = title === undefined ? '' : `<figcaption>${escapeHtml(title)}</figcaption>`;
  return `<figure class="table"><table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>${caption}</figure>`;
}

export const table: DirectiveDefinition = {
  name: 'table',
  placement: 'block',
  keys: { query: { required: true }, title: {}, columns: {} },
  render(attributes, context) {
    const columnsText = attributes.get('columns');
    const columnsJson = columnsText === undefined ? {} : parseJsonObject('columns', columnsText);
    const result = context.queries.run(attributes.get('query') as string);
    const specs = parseColumnSpecs(columnsJson, result.columns);
    const provenance: CellProvenance = {
      title: (sessionId) => sourceTitle(context, { sessionId }),
      link: (sessionId, html) => linkToSession(context, sessionId, html),
    };
    return { html: renderTable(result, specs, attributes.get('title'), provenance) };
  },
};
