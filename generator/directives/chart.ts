/**
 * @chart — a Chart.js chart from SQL, drawn in the browser by the site's client script.
 *
 *   <!-- @chart:query="SELECT x, y, series FROM …" type="line" title="…"
 *        datasets='{"a": {"label": "A", "yAxisID": "y1"}}' options='{"scales": {…}}' -->
 *
 * Series are aligned on x: the labels are the union of every series' x values (in
 * first-appearance order, or numerically sorted when all are numbers) and each
 * series' data is indexed by label, so a series missing a point has a gap (null),
 * never a shifted value.
 */
import type { SqlValue } from 'sql.js';
import { isPlainObject, parseJsonObject, type DirectiveDefinition } from './directive.ts';
import { DirectiveProblem } from './errors.ts';
import { escapeHtml, scriptSafeJson } from './escape.ts';
import type { QueryResult } from './query.ts';

/** Every chart type Chart.js ships. */
export const CHART_TYPES = ['line', 'bar', 'scatter', 'bubble', 'pie', 'doughnut', 'polarArea', 'radar'] as const;
export type ChartType = (typeof CHART_TYPES)[number];

/** Types whose points carry their own numeric x ({x, y} objects instead of a value per label). */
const POINT_TYPES: ReadonlySet<ChartType> = new Set(['scatter', 'bubble']);

export interface ChartSpec {
  type: ChartType;
  x?: string;
  y?: string;
  /** bubble: the column of each bubble's radius. */
  r?: string;
  series?: string;
  datasets: Record<string, unknown>;
  options: Record<string, unknown>;
}

type Label = string | number;
type Point = number | null | { x: number | string; y: number | null; r?: number | null };

export interface ChartConfig {
  type: ChartType;
  data: { labels: Label[]; datasets: Record<string, unknown>[] };
  options: Record<string, unknown>;
}

const BASE_OPTIONS = { responsive: true, maintainAspectRatio: false };

/** Deep merge of plain objects; arrays and other values from `override` replace. */
export function deepMerge(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged;
}

function namedColumn(result: QueryResult, role: string, name: string): number {
  const index = result.columns.indexOf(name);
  if (index === -1) throw new DirectiveProblem(`no column "${name}" for ${role} (columns: ${result.columns.join(', ')})`);
  return index;
}

/**
 * Which columns are x, y and series: the named ones, the others in column order
 * (so with no names: first, second, third if any); a column is never used twice.
 */
export function chartColumns(
  result: QueryResult,
  spec: Pick<ChartSpec, 'x' | 'y' | 'series' | 'r'> & { type?: ChartType },
): { x: number; y: number; r: number; series: number } {
  const x = spec.x === undefined ? undefined : namedColumn(result, 'x', spec.x);
  const y = spec.y === undefined ? undefined : namedColumn(result, 'y', spec.y);
  const r = spec.r === undefined ? undefined : namedColumn(result, 'r', spec.r);
  const series = spec.series === undefined ? undefined : namedColumn(result, 'series', spec.series);
  const unused = result.columns.map((_, i) => i).filter((i) => i !== x && i !== y && i !== r && i !== series);
  const next = (role: string): number => {
    const index = unused.shift();
    if (index === undefined) throw new DirectiveProblem(`the query has no column left for ${role} (columns: ${result.columns.join(', ')})`);
    return index;
  };
  const xIndex = x ?? next('x');
  const yIndex = y ?? next('y');
  const rIndex = spec.type === 'bubble' ? (r ?? next('r (the bubble radius)')) : -1;
  if (r !== undefined && spec.type !== 'bubble') throw new DirectiveProblem('"r" (a radius column) applies only to type="bubble"');
  return { x: xIndex, y: yIndex, r: rIndex, series: series ?? unused[0] ?? -1 };
}

function labelOf(value: SqlValue, column: string): Label {
  if (typeof value === 'number' || typeof value === 'string') return value;
  throw new DirectiveProblem(`x column "${column}" holds ${value === null ? 'NULL' : 'binary data'}; every point needs an x value`);
}

function numberOf(value: SqlValue, column: string): number | null {
  if (value === null || typeof value === 'number') return value;
  throw new DirectiveProblem(`y column "${column}" holds the non-number ${JSON.stringify(typeof value === 'string' ? value : '<binary>')}`);
}

/** Builds the complete Chart.js config from a query result (pure). */
export function buildChartConfig(result: QueryResult, spec: ChartSpec): ChartConfig {
  const { x: xIndex, y: yIndex, r: rIndex, series: seriesIndex } = chartColumns(result, spec);
  if (result.rows.length === 0) throw new DirectiveProblem('query returned no rows');
  const xName = result.columns[xIndex];
  const yName = result.columns[yIndex];

  // One pass: labels in first-appearance order, series in first-appearance order.
  const labels: Label[] = [];
  const labelKeys = new Map<string, Label>();
  const series = new Map<string, Map<string, number | null>>();
  const radii = new Map<string, number | null>(); // bubble: `${series}\0${x key}` → radius
  for (const row of result.rows) {
    const x = labelOf(row[xIndex], xName);
    if (POINT_TYPES.has(spec.type) && typeof x !== 'number') {
      throw new DirectiveProblem(`a ${spec.type} chart needs numbers in x column "${xName}", found ${JSON.stringify(x)}`);
    }
    const key = `${typeof x}:${x}`;
    if (!labelKeys.has(key)) {
      labelKeys.set(key, x);
      labels.push(x);
    }
    const seriesValue = seriesIndex === -1 ? yName : row[seriesIndex];
    if (seriesValue === null || seriesValue instanceof Uint8Array) {
      throw new DirectiveProblem(`series column "${result.columns[seriesIndex]}" holds ${seriesValue === null ? 'NULL' : 'binary data'}`);
    }
    const seriesName = String(seriesValue);
    let points = series.get(seriesName);
    if (!points) series.set(seriesName, (points = new Map()));
    if (points.has(key)) {
      throw new DirectiveProblem(`series "${seriesName}" has two rows for ${xName} = ${x}; aggregate them in the query`);
    }
    points.set(key, numberOf(row[yIndex], yName));
    if (rIndex !== -1) radii.set(`${seriesName}\0${key}`, numberOf(row[rIndex], result.columns[rIndex]));
  }
  if (labels.every((label) => typeof label === 'number')) (labels as number[]).sort((a, b) => a - b);

  for (const key of Object.keys(spec.datasets)) {
    if (!series.has(key)) {
      throw new DirectiveProblem(`"datasets" has an entry "${key}" that matches no series (series: ${[...series.keys()].join(', ')})`);
    }
  }

  const datasets = [...series].map(([name, points]) => {
    const data: Point[] = POINT_TYPES.has(spec.type)
        ? [...points].map(([key, y]) => {
            const point: Point = { x: labelKeys.get(key) as Label, y };
            if (rIndex !== -1) point.r = radii.get(`${name}\0${key}`) ?? null;
            return point;
          })
        : labels.map((label) => {
            const y = points.get(`${typeof label}:${label}`);
            return y === undefined ? null : y;
          });
    const overrides = spec.datasets[name];
    if (overrides !== undefined && !isPlainObject(overrides)) {
      throw new DirectiveProblem(`"datasets" entry "${name}" must be a JSON object of Chart.js dataset options`);
    }
    return deepMerge({ label: name, data, spanGaps: false }, overrides ?? {});
  });

  return {
    type: spec.type,
    data: { labels, datasets },
    options: deepMerge(BASE_OPTIONS, spec.options),
  };
}

export const chart: DirectiveDefinition = {
  name: 'chart',
  placement: 'block',
  keys: { query: { required: true }, title: {}, type: {}, x: {}, y: {}, r: {}, series: {}, datasets: {}, options: {} },
  render(attributes, context) {
    const type = attributes.get('type') ?? 'line';
    if (!(CHART_TYPES as readonly string[]).includes(type)) {
      throw new DirectiveProblem(`unknown chart type "${type}" (allowed: ${CHART_TYPES.join(', ')})`);
    }
    const datasetsText = attributes.get('datasets');
    const optionsText = attributes.get('options');
    const spec: ChartSpec = {
      type: type as ChartType,
      x: attributes.get('x'),
      y: attributes.get('y'),
      r: attributes.get('r'),
      series: attributes.get('series'),
      datasets: datasetsText === undefined ? {} : parseJsonObject('datasets', datasetsText),
      options: optionsText === undefined ? {} : parseJsonObject('options', optionsText),
    };
    const config = buildChartConfig(context.queries.run(attributes.get('query') as string), spec);
    const title = attributes.get('title');
    const label = escapeHtml(title ?? `Chart: ${config.data.datasets.map((d) => String(d.label)).join(', ')}`);
    const caption = title === undefined ? '' : `<figcaption>${escapeHtml(title)}</figcaption>`;
    return {
      html:
        `<figure class="chart"><div class="chart-box"><canvas aria-label="${label}" role="img"></canvas></div>` +
        `<script type="application/json" class="chart-config">${scriptSafeJson(config)}</script>${caption}</figure>`,
      usesCharts: true,
    };
  },
};
