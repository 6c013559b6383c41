/**
 * The operator's material names only what the server exports: every metric in the Grafana
 * dashboard (docs/operate/grafana-dashboard.json) and in the PromQL blocks of the book's
 * operating appendix is one the exporter registers (a histogram's _bucket/_sum/_count
 * included). A renamed metric fails here, not on an operator's empty panel.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerServiceMetrics } from './exporter.ts';
import { LoopTurn } from './loop-turn.ts';
import { DURATION_BUCKETS_SECONDS, RequestTally, ShedTally } from './request-tally.ts';
import { registerLimiterMetrics } from '../limit/limiter-metrics.ts';
import { DEFAULT_SCALE_OUT_RULE } from '../signals/scale-out.ts';
import { registerSignalMetrics } from '../signals/signal-metrics.ts';
import { countersOf } from '../signals/counters.ts';
import { StandingQueue } from '../limit/standing-queue.ts';

const repoFile = (path: string) => readFileSync(fileURLToPath(new URL(`../../../${path}`, import.meta.url)), 'utf8');

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'and', 'or', 'unless', 'bool', 'inf', 'nan']);

/** The metric names a PromQL expression reads: identifiers outside label matchers, ranges and strings that are not functions or keywords. */
function metricNamesIn(expression: string): string[] {
  const bare = expression
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\$\w+/g, '');
  const names = new Set<string>();
  for (const match of bare.matchAll(/(?<![\w.])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    if (match[2] !== undefined || PROMQL_WORDS.has(match[1].toLowerCase()) || /^\d/.test(match[1])) continue;
    names.add(match[1]);
  }
  return [...names];
}

/**
 * Every series name the server can produce, registered as service.ts registers them: the
 * exporter with a limit configured (so concurrency_limit is there), the adaptive limiter's
 * gauges, and the scale-out signals.
 */
async function exportedNames(): Promise<Set<string>> {
  const registry = new Registry();
  const sources = { tally: new RequestTally(), turn: new LoopTurn(), shed: new ShedTally(), catalogue: { events: () => 0, asOf: () => null, pollFailures: () => 0 }, concurrencyLimit: () => 1 };
  const stopService = registerServiceMetrics(registry, sources);
  registerLimiterMetrics(registry, { rttNoLoadMs: 1, rttMs: 1 });
  const stopSignals = registerSignalMetrics(registry, countersOf({ ...sources, queue: new StandingQueue(0) }, () => 1), DEFAULT_SCALE_OUT_RULE, DURATION_BUCKETS_SECONDS);
  const stop = () => {
    stopSignals();
    stopService();
  };
  try {
    const names = new Set<string>();
    for (const metric of await registry.getMetricsAsJSON()) {
      names.add(metric.name);
      if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
    }
    return names;
  } finally {
    stop();
  }
}

function dashboardExpressions(): string[] {
  const dashboard = JSON.parse(repoFile('docs/operate/grafana-dashboard.json')) as { panels: { targets?: { expr: string }[] }[] };
  return dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
}

function pageExpressions(): string[] {
  const page = repoFile('book/server/91-appendix-operating.md');
  return [...page.matchAll(/^```promql\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
}

describe('the PromQL an operator is given', () => {
  it('reads metric names, not functions, labels, ranges or keywords', () => {
    expect(metricNamesIn('histogram_quantile(0.99, sum by (le) (rate(a_bucket{route="/x",le="0.05"}[$__rate_interval]))) / on(job) b_total offset 5m')).toEqual(['a_bucket', 'b_total']);
    expect(metricNamesIn('1e6 * c / 3600')).toEqual(['c']);
  });

  it('uses only metrics the server exports, in the dashboard and on the operating page', async () => {
    const exported = await exportedNames();
    const expressions = [...dashboardExpressions(), ...pageExpressions()];
    expect(dashboardExpressions().length).toBeGreaterThan(10);
    expect(pageExpressions().length).toBeGreaterThan(3);
    const missing = expressions.flatMap((expression) => metricNamesIn(expression).filter((name) => !exported.has(name)).map((name) => `${name} in ${expression}`));
    expect(missing).toEqual([]);
  });
});
