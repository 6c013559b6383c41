import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'sql.js';
import { directQueries } from '../directives/query.ts';
import { createFixtureDatabase } from '../test-fixtures/fixture-database.ts';
import { errataFragment, verdict, type Measurement } from './errata.ts';
import { measurementsFragment, prettySettings } from './measurements.ts';

const at = (median: number, ciLow: number | null, ciHigh: number | null): Measurement => ({ sessionId: 1, startedAt: '2026-01-01', median, ciLow, ciHigh });

describe('verdict', () => {
  it('says "moved" only when the two intervals do not overlap', () => {
    expect(verdict(at(1000, 950, 1050), at(1200, 1100, 1300))).toBe('moved');
    expect(verdict(at(1000, 950, 1050), at(800, 700, 900))).toBe('moved');
    expect(verdict(at(1000, 950, 1050), at(1040, 1000, 1100))).toBe('within noise');
    expect(verdict(at(1000, 950, 1050), at(1100, 1050, 1150))).toBe('within noise'); // touching intervals overlap
    expect(verdict(at(1000, null, null), at(2000, 1900, 2100))).toBe('no interval');
    expect(verdict(null, at(2000, 1900, 2100))).toBe('first measurement');
  });
});

describe('the generated appendix', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createFixtureDatabase();
  });
  afterAll(() => db.close());

  it('errata: the latest session against the previous one on the same machine, per chapter and scenario', () => {
    const html = errataFragment(directQueries(db), 'measurements.html');
    const rows = html.match(/<tr><td>[^]*?<\/tr>/g) ?? [];
    expect(rows).toHaveLength(2); // v1-baseline measured twice, v2-index once, v3-pool never
    expect(rows[0]).toContain('<td>v1-baseline</td><td>hot</td><td>Test CPU 3000</td>');
    expect(rows[0]).toContain('<a href="measurements.html#session-1">1,000</a>');
    expect(rows[0]).toContain('<a href="measurements.html#session-2">1,010</a>');
    expect(rows[0]).toContain('+1.0%');
    expect(rows[0]).toContain('>within noise</td>');
    expect(rows[1]).toContain('<td>v2-index</td>');
    expect(rows[1]).toContain('>first measurement</td>');
  });

  it('measurements: one section per session with machine, tool, runs and settings', () => {
    const html = measurementsFragment(directQueries(db));
    expect(html.match(/<section class="measurement-session" id="session-\d+">/g)).toHaveLength(2);
    expect(html).toContain('<dt>Load generator</dt><dd>autocannon 9.0.0</dd>');
    expect(html).toContain('<dt>Runs</dt><dd>6 measured, 0 failed</dd>');
    expect(html).toContain('&quot;connections&quot;: 50');
  });
});

describe('prettySettings', () => {
  it('shows a long list by its first ten items and its length, short lists whole', () => {
    const paths = Array.from({ length: 100_000 }, (_, i) => `/search?i=${i}`);
    const shown = JSON.parse(prettySettings(JSON.stringify({ runs: 5, scenarios: { mix: { paths } }, chapters: ['v1', 'v2'] }))) as {
      runs: number;
      scenarios: { mix: { paths: string[] } };
      chapters: string[];
    };
    expect(shown.runs).toBe(5);
    expect(shown.chapters).toEqual(['v1', 'v2']);
    expect(shown.scenarios.mix.paths).toEqual([...paths.slice(0, 10), '… 99,990 more (100,000 in all)']);
  });
});
