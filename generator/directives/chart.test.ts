import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'sql.js';
import { renderMarkdown } from '../markdown/render.ts';
import { buildChartConfig, chartWarnings, chartColumns, deepMerge, type ChartConfig, type ChartSpec } from './chart.ts';
import { createTestDatabase, directiveErrorOf } from './test-database.ts';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});

const render = (source: string) => renderMarkdown(source, { db, file: 'book/c.md' });

/** The Chart.js configs of a page, read back the way the browser would (JSON.parse of the script text). */
function configsOf(html: string): ChartConfig[] {
  return [...html.matchAll(/<script type="application\/json" class="chart-config">([^<]*)<\/script>/g)].map((m) => JSON.parse(m[1]));
}

const SPEC: ChartSpec = { type: 'line', datasets: {}, options: {} };

// The spec's example with two y axes, on the view of every ramp (adaptive_limiter_series shows chapter 9's only; the test data has no chapter 9).
const TWO_AXES =
  `<!-- @chart:query="SELECT elapsed_seconds, observed_rps as value, 'throughput' as series FROM adaptive_limiter_seconds UNION ALL SELECT elapsed_seconds, connection_limit as value, 'limit' as series FROM adaptive_limiter_seconds ORDER BY elapsed_seconds" x="elapsed_seconds" y="value" series="series" datasets='{"throughput": {"label": "Requests/sec", "yAxisID": "y"}, "limit": {"label": "Connection Limit", "yAxisID": "y1"}}' options='{"scales": {"y1": {"type": "linear", "position": "right", "grid": {"drawOnChartArea": false}}}}' title="Throughput vs Connection Limit (Adaptive)" -->`;

describe('@chart', () => {
  it("renders the spec's two-y-axes example: two datasets on y and y1, y1 scale merged into the defaults", async () => {
    const page = await render(TWO_AXES);
    expect(page.usesCharts).toBe(true);
    expect(page.html).toMatch(
      /^<figure class="chart"><div class="chart-box"><canvas aria-label="Throughput vs Connection Limit \(Adaptive\)" role="img"><\/canvas><\/div><script type="application\/json" class="chart-config">.*<\/script><figcaption>Throughput vs Connection Limit \(Adaptive\)<\/figcaption><\/figure>$/,
    );
    const [config] = configsOf(page.html);
    expect(config.type).toBe('line');
    expect(config.data.labels).toEqual([0, 1, 2]);
    expect(config.data.datasets).toEqual([
      { label: 'Requests/sec', data: [900, 1800, 2500], spanGaps: false, yAxisID: 'y' },
      { label: 'Connection Limit', data: [10, 20, 30], spanGaps: false, yAxisID: 'y1' },
    ]);
    expect(config.options).toEqual({
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        // Untitled axes are titled with their columns' names; the author's options are kept.
        x: { title: { display: true, text: 'elapsed_seconds' } },
        y: { title: { display: true, text: 'value' } },
        y1: { type: 'linear', position: 'right', grid: { drawOnChartArea: false } },
      },
    });
  });

  it('puts series the query sorted as text in natural order, and keeps an order the author chose', () => {
    const rows = (names: string[]) => ({ columns: ['x', 'y', 's'], rows: names.map((name, i) => [1, i, name]) });
    const labels = (names: string[]) => buildChartConfig(rows(names), { type: 'line', datasets: {}, options: {} }).data.datasets.map((d) => d.label);
    expect(labels(['run 1', 'run 10', 'run 2'])).toEqual(['run 1', 'run 2', 'run 10']);
    expect(labels(['served', 'offered', 'p99'])).toEqual(['served', 'offered', 'p99']);
  });

  it('warns of more than eight series and of series crushed on one linear axis, not on a log axis or a second one', () => {
    const config = (peaks: number[], options: Record<string, unknown> = {}, datasets: Record<string, unknown> = {}) =>
      buildChartConfig({ columns: ['x', 'y', 's'], rows: peaks.map((peak, i) => [1, peak, `s${i}`]) }, { type: 'line', datasets, options });
    expect(chartWarnings(config([1, 2, 3]))).toEqual([]);
    expect(chartWarnings(config([1, 2, 3, 4, 5, 6, 7, 8, 9]))).toEqual(['9 series in one chart (at most 8 can be told apart: aggregate them in the query or choose)']);
    expect(chartWarnings(config([1, 11]))).toEqual(['on axis "y", "s1" reaches 11 times "s0": give one a second axis (datasets: yAxisID) or the axis a logarithmic scale']);
    expect(chartWarnings(config([1, 11], { scales: { y: { type: 'logarithmic' } } }))).toEqual([]);
    expect(chartWarnings(config([1, 11], {}, { s1: { yAxisID: 'y1' } }))).toEqual([]);
  });

  it('carries an interval per point from lo and hi, never taking them for a series', () => {
    const result = { columns: ['x', 'y', 'lo', 'hi'], rows: [[1, 5, 4, 6], [2, 7, null, null]] };
    const [dataset] = buildChartConfig(result, { type: 'bar', lo: 'lo', hi: 'hi', datasets: {}, options: {} }).data.datasets;
    expect(dataset).toMatchObject({ label: 'y', data: [5, 7], errorBars: [[4, 6], null] });
  });

  it('aligns series on x: union of labels, gaps as null, never shifted', () => {
    const config = buildChartConfig(
      {
        columns: ['t', 'v', 's'],
        rows: [
          [3, 30, 'a'],
          [1, 10, 'a'],
          [2, 200, 'b'],
          [3, 300, 'b'],
          [5, 50, 'a'],
        ],
      },
      SPEC,
    );
    expect(config.data.labels).toEqual([1, 2, 3, 5]); // all numbers: sorted numerically
    expect(config.data.datasets.map((d) => [d.label, d.data])).toEqual([
      ['a', [10, null, 30, 50]],
      ['b', [null, 200, 300, null]],
    ]);
  });

  it('keeps first-appearance order for text labels', () => {
    const config = buildChartConfig(
      { columns: ['tag', 'rps'], rows: [['v2', 2], ['v1', 1], ['v10', 10]] },
      SPEC,
    );
    expect(config.data.labels).toEqual(['v2', 'v1', 'v10']);
    expect(config.data.datasets).toEqual([{ label: 'rps', data: [2, 1, 10], spanGaps: false }]);
  });

  it('uses {x, y} points for scatter charts', () => {
    const config = buildChartConfig(
      { columns: ['c', 'rps', 's'], rows: [[8, 100, 'a'], [16, 180, 'a'], [8, 90, 'b']] },
      { ...SPEC, type: 'scatter' },
    );
    expect(config.data.datasets.map((d) => d.data)).toEqual([
      [{ x: 8, y: 100 }, { x: 16, y: 180 }],
      [{ x: 8, y: 90 }],
    ]);
  });

  it('supports horizontal bars via options.indexAxis and dataset options for a single series', async () => {
    const page = await render(
      `<!-- @chart:type="bar" query="SELECT tag, baseline_rps FROM versions ORDER BY chapter_number" options='{"indexAxis": "y"}' datasets='{"baseline_rps": {"label": "req/s", "borderWidth": 2}}' -->`,
    );
    const [config] = configsOf(page.html);
    expect(config.type).toBe('bar');
    expect(config.options.indexAxis).toBe('y');
    expect(config.data.labels).toEqual(['v1-baseline', 'v2-cache', 'v3-pool']);
    expect(config.data.datasets).toEqual([{ label: 'req/s', data: [10000, 14230, null], spanGaps: false, borderWidth: 2 }]);
  });

  it('cannot inject markup through labels or series names', async () => {
    const hostile = await createTestDatabase();
    hostile.run("UPDATE chapters SET tag = '</script><script>alert(1)</script>' WHERE tag = 'v3-pool'");
    const page = await renderMarkdown(
      `<!-- @chart:query="SELECT tag, chapter_number, '<b>' || tag FROM versions" title="<img src=x onerror=alert(1)>" -->`,
      { db: hostile, file: 'x.md' },
    );
    expect(page.html.match(/<script/g)).toHaveLength(1); // only the config element itself
    expect(page.html).not.toContain('<img');
    expect(page.html).toContain('<figcaption>&lt;img src=x onerror=alert(1)&gt;</figcaption>');
    const [config] = configsOf(page.html);
    expect(config.data.labels).toContain('</script><script>alert(1)</script>');
    expect(config.data.datasets.map((d) => d.label)).toContain('<b></script><script>alert(1)</script>');
  });

  it('takes x, y, series from names, else the unused columns in order', () => {
    const result = { columns: ['a', 'b', 'c', 'd'], rows: [] };
    expect(chartColumns(result, {})).toEqual({ x: 0, y: 1, r: -1, series: 2 });
    expect(chartColumns(result, { x: 'b' })).toEqual({ x: 1, y: 0, r: -1, series: 2 });
    expect(chartColumns(result, { y: 'a', series: 'd' })).toEqual({ x: 1, y: 0, r: -1, series: 3 });
    expect(chartColumns({ columns: ['a', 'b'], rows: [] }, { x: 'b', y: 'a' })).toEqual({ x: 1, y: 0, r: -1, series: -1 });
    expect(chartColumns(result, { type: 'bubble' })).toEqual({ x: 0, y: 1, r: 2, series: 3 });
  });

  it('refuses text x values in a scatter chart', () => {
    expect(() => buildChartConfig({ columns: ['tag', 'rps'], rows: [['v1', 1]] }, { ...SPEC, type: 'scatter' })).toThrow(
      'a scatter chart needs numbers in x column "tag", found "v1"',
    );
  });

  it('deep-merges options objects and replaces arrays', () => {
    expect(deepMerge({ a: { b: 1, c: [1] }, d: 1 }, { a: { c: [2], e: 3 } })).toEqual({ a: { b: 1, c: [2], e: 3 }, d: 1 });
  });

  it('errors on bad JSON in datasets with the parser message, at the exact location', async () => {
    const error = await directiveErrorOf(
      render('# Title\n\nSome text.\n\n  <!-- @chart:query="SELECT tag, chapter_number FROM versions"\n  datasets=\'{"a": }\' -->'),
    );
    expect([error.line, error.column, error.directive]).toEqual([5, 3, 'chart']);
    expect(error.reason).toMatch(/^invalid JSON in "datasets": Unexpected token/);
    expect(error.message.startsWith('book/c.md:5:3 @chart: invalid JSON in "datasets": ')).toBe(true);
  });

  it('errors on bad JSON in options', async () => {
    const error = await directiveErrorOf(render(`<!-- @chart:query="SELECT 1, 2" options='{scales: 1}' -->`));
    expect(error.reason).toMatch(/^invalid JSON in "options": /);
  });

  it('passes an SQL error through with the location', async () => {
    const error = await directiveErrorOf(
      render('Intro\n\n<!-- @chart:query="SELECT elapsed_seconds, observed_rp FROM adaptive_limiter_seconds" -->\n'),
    );
    expect(error.message).toBe('book/c.md:3:1 @chart: no such column: observed_rp');
  });

  it('errors on an empty result, unknown columns, unknown type and unmatched dataset keys', async () => {
    expect((await directiveErrorOf(render(`<!-- @chart:query="SELECT tag, baseline_rps FROM versions WHERE 0" -->`))).reason).toBe(
      'query returned no rows',
    );
    expect((await directiveErrorOf(render(`<!-- @chart:query="SELECT tag, baseline_rps FROM versions" y="rps" -->`))).reason).toBe(
      'no column "rps" for y (columns: tag, baseline_rps)',
    );
    expect((await directiveErrorOf(render(`<!-- @chart:query="SELECT tag, baseline_rps FROM versions" type="pyramid" -->`))).reason).toBe(
      'unknown chart type "pyramid" (allowed: line, bar, scatter, bubble, pie, doughnut, polarArea, radar)',
    );
    expect(
      (await directiveErrorOf(render(`<!-- @chart:query="SELECT tag, baseline_rps FROM versions" datasets='{"rps": {}}' -->`))).reason,
    ).toBe('"datasets" has an entry "rps" that matches no series (series: baseline_rps)');
    expect((await directiveErrorOf(render(`<!-- @chart:query="SELECT tag FROM versions" -->`))).reason).toBe(
      'the query has no column left for y (columns: tag)',
    );
  });

  it('draws every Chart.js type: pie, doughnut, polarArea and radar by label, bubble with a radius column', async () => {
    for (const type of ['pie', 'doughnut', 'polarArea', 'radar']) {
      const [config] = configsOf((await render(`<!-- @chart:query="SELECT tag, baseline_rps FROM versions WHERE baseline_rps IS NOT NULL ORDER BY chapter_number" type="${type}" -->`)).html);
      expect(config.type).toBe(type);
      expect(config.data).toEqual({ labels: ['v1-baseline', 'v2-cache'], datasets: [{ label: 'baseline_rps', data: [10_000, 14_230], spanGaps: false }] });
    }
    const bubble = buildChartConfig({ columns: ['x', 'y', 'size', 'kind'], rows: [[1, 10, 3, 'a'], [2, 20, 5, 'a'], [1, 5, 2, 'b']] }, { ...SPEC, type: 'bubble' });
    expect(bubble.data.datasets.map((d) => [d.label, d.data])).toEqual([
      ['a', [{ x: 1, y: 10, r: 3 }, { x: 2, y: 20, r: 5 }]],
      ['b', [{ x: 1, y: 5, r: 2 }]],
    ]);
    expect(() => buildChartConfig({ columns: ['x', 'y'], rows: [[1, 2]] }, { ...SPEC, type: 'bubble' })).toThrow('no column left for r (the bubble radius)');
    expect(() => buildChartConfig({ columns: ['x', 'y', 'r'], rows: [[1, 2, 3]] }, { ...SPEC, r: 'r' })).toThrow('"r" (a radius column) applies only to type="bubble"');
  });

  it('refuses duplicate points of one series rather than keeping one silently', () => {
    expect(() => buildChartConfig({ columns: ['x', 'y'], rows: [[1, 1], [1, 2]] }, SPEC)).toThrow(
      'series "y" has two rows for x = 1; aggregate them in the query',
    );
  });

  it('is a block: inside a paragraph it is an error', async () => {
    const error = await directiveErrorOf(render(`See <!-- @chart:query="SELECT 1, 2" -->`));
    expect(error.message).toBe(
      'book/c.md:1:5 @chart: @chart is a block: put it on its own line(s), not inside a paragraph, list text or table cell',
    );
  });
});
