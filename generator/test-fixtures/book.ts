/**
 * A small book for tests: a landing page and two books (three chapters) using every
 * kind of output the client script handles — a two-axis line chart, a bar chart, a
 * table, a Mermaid diagram, highlighted code — plus links between pages.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURE_PAGES = ['index.html', 'alpha/00-intro.html', 'alpha/01-more.html', 'beta/00-only.html', 'errata.html', 'measurements.html'] as const;

const TWO_AXIS_CHART =
  `<!-- @chart:query="SELECT second, requests_per_second AS value, 'throughput' AS series FROM run_samples WHERE run_id = 1 ` +
  `UNION ALL SELECT second, p99_latency_us / 1000.0, 'p99' FROM run_samples WHERE run_id = 1 ORDER BY 1" ` +
  `x="second" y="value" series="series" ` +
  `datasets='{"throughput": {"label": "Requests/s", "yAxisID": "y"}, "p99": {"label": "p99 (ms)", "yAxisID": "y1"}}' ` +
  `options='{"scales": {"y1": {"type": "linear", "position": "right", "grid": {"drawOnChartArea": false}}}}' ` +
  `title="Throughput and p99 per second" -->`;

export function writeFixtureBook(bookDir: string): void {
  mkdirSync(join(bookDir, 'alpha'), { recursive: true });
  mkdirSync(join(bookDir, 'beta'), { recursive: true });
  writeFileSync(
    join(bookDir, 'index.md'),
    `<!-- @meta:title="Fixture Library" description="Books for tests" -->
# Fixture Library

Chapter one serves <!-- @metric:tag="v1-baseline" format="comma" --> requests per second.

Start with [the introduction](alpha/00-intro.md).

<!-- books -->
`,
  );
  writeFileSync(
    join(bookDir, 'alpha', '00-intro.md'),
    `<!-- @meta:title="Alpha Book" description="The first fixture book" -->
# Introduction

## A chart with two axes

${TWO_AXIS_CHART}

## A table

<!-- @table:query="SELECT tag AS Version, technique AS Technique, baseline_rps AS RPS FROM versions ORDER BY chapter_number" title="Chapters" -->

## A diagram

\`\`\`mermaid
flowchart LR
  Client --> Server
\`\`\`

## Some code

\`\`\`ts
export function add(a: number, b: number): number {
  return a + b; // the sum
}
\`\`\`

Next: [more](01-more.md#bars).
`,
  );
  writeFileSync(
    join(bookDir, 'alpha', '01-more.md'),
    `# More

## Bars

<!-- @chart:type="bar" query="SELECT tag, baseline_rps FROM versions ORDER BY chapter_number" title="Headline throughput" -->

## Side by side

<div class="directive-example">
<div class="directive-example-source">

\`\`\`text
Chapter 1: <!-- @metric:tag="v1-baseline" --> requests/s
\`\`\`

</div>
<div class="directive-example-output">

Chapter 1: <!-- @metric:tag="v1-baseline" --> requests/s

</div>
</div>

## Elsewhere

See [the other book](../beta/00-only.md) or go [home](../index.md).
`,
  );
  writeFileSync(
    join(bookDir, 'beta', '00-only.md'),
    `# Beta

## Latency

<!-- @chart:query="SELECT second, p99_latency_us FROM run_samples WHERE run_id = 4 ORDER BY second" title="p99 latency" -->

## Wide things

<!-- @table:query="SELECT tag AS Version, technique AS Technique, title AS Title, baseline_rps AS RPS, improvement_percent AS Improvement, p50_latency_us AS p50, p90_latency_us AS p90, p99_latency_us AS p99, avg_latency_us AS Average, max_latency_us AS Maximum FROM versions ORDER BY chapter_number" title="Every column" -->

\`\`\`sh
npm ci && npm run book -- --book-dir book --db data/bench.sqlite --out site --keep-going --strict --quiet   # one very long command line
\`\`\`

\`\`\`mermaid
flowchart LR
  Client[Browser client] --> Edge[Edge proxy] --> Api[Search API] --> Cache[Response cache] --> Store[Event store] --> Provider[XML provider]
\`\`\`

## Timeline

<!-- @git:show="branches" -->

## Back

[Alpha](../alpha/00-intro.md)
`,
  );
}
