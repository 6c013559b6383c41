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
 *
 * For the reader: an axis the author left untitled is titled with its column's name;
 * series that came in plain string order are put in natural order (run 2 before run 10);
 * `lo`/`hi` name the columns of an interval around each y, drawn as error bars (the
 * client's error-bars plugin); more than MAX_SERIES series, or series whose ranges on one
 * axis differ more than tenfold on a linear scale, give a warning at the directive.
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
  /** Columns of the interval around each y (error bars). */
  lo?: string;
  hi?: string;
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

/** More series than a reader can tell apart by colour (the palette has eight). */
export const MAX_SERIES = 8;

/** Ranges on one linear axis that differ more than this squash the smaller series flat. */
const RANGE_RATIO_LIMIT = 10;

const naturalOrder = new Intl.Collator('en', { numeric: true }).compare;

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
  spec: Pick<ChartSpec, 'x' | 'y' | 'series' | 'r' | 'lo' | 'hi'> & { type?: ChartType },
): { x: number; y: number; r: number; series: number } {
  const interval = [spec.lo, spec.hi].filter((name) => name !== undefined).map((name) => result.columns.indexOf(name));
  const x = spec.x === undefined ? undefined : namedColumn(result, 'x', spec.x);
  const y = spec.y === undefined ? undefined : namedColumn(result, 'y', spec.y);
  const r = spec.r === undefined ? undefined : namedColumn(result, 'r', spec.r);
  const series = spec.series === undefined ? undefined : namedColumn(result, 'series', spec.series);
  const unused = result.columns.map((_, i) => i).filter((i) => i !== x && i !== y && i !== r && i !== series && !interval.includes(i));
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
  const loIndex = spec.lo === undefined ? -1 : namedColumn(result, 'lo', spec.lo);
  const hiIndex = spec.hi === undefined ? -1 : namedColumn(result, 'hi', spec.hi);
  if ((loIndex === -1) !== (hiIndex === -1)) throw new DirectiveProblem('an interval needs both "lo" and "hi" (the columns of its two ends)');
  const intervals = new Map<string, Map<string, [number, number] | null>>();
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
    if (loIndex !== -1) {
      const lo = numberOf(row[loIndex], result.columns[loIndex]);
      const hi = numberOf(row[hiIndex], result.columns[hiIndex]);
      let bars = intervals.get(seriesName);
      if (!bars) intervals.set(seriesName, (bars = new Map()));
      bars.set(key, lo === null || hi === null ? null : [lo, hi]);
    }
  }
  if (labels.every((label) => typeof label === 'number')) (labels as number[]).sort((a, b) => a - b);
  const names = [...series.keys()];
  const inStringOrder = names.every((name, i) => i === 0 || names[i - 1] < name);
  if (inStringOrder) names.sort(naturalOrder); // the query sorted them as text: run 10 would come before run 2

  for (const key of Object.keys(spec.datasets)) {
    if (!series.has(key)) {
      throw new DirectiveProblem(`"datasets" has an entry "${key}" that matches no series (series: ${[...series.keys()].join(', ')})`);
    }
  }

  const datasets = names.map((name) => {
    const points = series.get(name) as Map<string, number | null>;
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
    const dataset: Record<string, unknown> = { label: name, data, spanGaps: false };
    const bars = intervals.get(name);
    if (bars) dataset.errorBars = labels.map((label) => bars.get(`${typeof label}:${label}`) ?? null);
    return deepMerge(dataset, overrides ?? {});
  });

  return {
    type: spec.type,
    data: { labels, datasets },
    options: deepMerge(deepMerge(BASE_OPTIONS, inferredAxisTitles(spec, xName, yName)), spec.options),
  };
}

/** Titles for the x and y axes of a cartesian chart from their columns' names; the author's options override them. */
function inferredAxisTitles(spec: ChartSpec, xName: string, yName: string): Record<string, unknown> {
  if (!CARTESIAN_TYPES.has(spec.type)) return {};
  const title = (text: string) => ({ title: { display: true, text } });
  return { scales: { x: title(xName), y: title(yName) } };
}

const CARTESIAN_TYPES: ReadonlySet<ChartType> = new Set(['line', 'bar', 'scatter', 'bubble']);

/** What a reader of the config would misread: too many series, or series crushed by a larger one on a linear axis. */
export function chartWarnings(config: ChartConfig): string[] {
  const warnings: string[] = [];
  const { datasets } = config.data;
  if (datasets.length > MAX_SERIES) {
    warnings.push(`${datasets.length} series in one chart (at most ${MAX_SERIES} can be told apart: aggregate them in the query or choose)`);
  }
  if (!CARTESIAN_TYPES.has(config.type)) return warnings;
  const scales = (config.options.scales ?? {}) as Record<string, { type?: string } | undefined>;
  const byAxis = new Map<string, { name: string; peak: number }[]>();
  for (const dataset of datasets) {
    const axis = typeof dataset.yAxisID === 'string' ? dataset.yAxisID : 'y';
    if (scales[axis]?.type === 'logarithmic') continue;
    const values = (dataset.data as Point[]).map((point) => (point !== null && typeof point === 'object' ? point.y : point));
    const peak = Math.max(0, ...values.filter((v): v is number => typeof v === 'number').map(Math.abs));
    if (peak > 0) (byAxis.get(axis) ?? byAxis.set(axis, []).get(axis)!).push({ name: String(dataset.label), peak });
  }
  for (const [axis, peaks] of byAxis) {
    peaks.sort((a, b) => a.peak - b.peak);
    const [low, high] = [peaks[0], peaks[peaks.length - 1]];
    if (peaks.length > 1 && high.peak / low.peak > RANGE_RATIO_LIMIT) {
      warnings.push(`on axis "${axis}", "${high.name}" reaches ${Math.round(high.peak / low.peak)} times "${low.name}": give one a second axis (datasets: yAxisID) or the axis a logarithmic scale`);
    }
  }
  return warnings;
}

export const chart: DirectiveDefinition = {
  name: 'chart',
  placement: 'block',
  keys: { query: { required: true }, title: {}, type: {}, x: {}, y: {}, r: {}, series: {}, lo: {}, hi: {}, datasets: {}, options: {} },
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
      lo: attributes.get('lo'),
      hi: attributes.get('hi'),
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
      warnings: chartWarnings(config),
    };
  },
};
