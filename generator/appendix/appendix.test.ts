import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from 'sql.js';
import { directQueries } from '../directives/query.ts';
import { createFixtureDatabase } from '../test-fixtures/fixture-database.ts';
import { betweenEditionSpread, errataFragment, noiseBand, verdict, type EditionRatio } from './errata.ts';
import { measurementsFragment, prettySettings, statusText } from './measurements.ts';

const at = (ratio: number, harnessCommit = 'h1'): EditionRatio => ({ sessionId: 1, startedAt: '2026-01-01', harnessCommit, harness: harnessCommit, ratio });

describe('verdict', () => {
  it('never calls the same code and harness measured twice "moved", however far apart', () => {
    expect(verdict(at(0.5), at(0.7), 0.001)).toBe('same code and harness: noise');
  });

  it('across harness commits, calls a change "moved" only beyond the noise measured between editions', () => {
    const spread = betweenEditionSpread([Math.log(1.02), Math.log(0.98)]) as number; // ≈ 1.4% per edition
    expect(Math.expm1(noiseBand(spread))).toBeCloseTo(0.0408, 3);
    expect(verdict(at(0.5, 'h1'), at(0.55, 'h2'), spread)).toBe('moved');
    expect(verdict(at(0.5, 'h1'), at(0.51, 'h2'), spread)).toBe('within noise');
    expect(verdict(at(0.5, 'h1'), at(0.55, 'h2'), null)).toBe('no noise measured yet');
    expect(verdict(null, at(0.5), spread)).toBe('first edition');
  });
});

describe('the generated appendix', () => {
  let db: Database;
  beforeAll(async () => {
    db = await createFixtureDatabase();
  });
  afterAll(() => db.close());

  it('errata: without a complete edition, says so and compares nothing', () => {
    const html = errataFragment(directQueries(db), 'measurements.html');
    expect(html).toContain('The database holds no complete edition yet.');
    expect(html).not.toContain('<tr><td>');
  });

  it('errata: the latest edition against the one before, the same-harness pair as the noise', async () => {
    const editions = await createFixtureDatabase();
    const edition = (id: number, harness: string, ratio: number, tree: string | null = null) => {
      editions.run(
        `INSERT INTO sessions(id, started_at, status, harness_commit, harness_tree, machine_fingerprint, tool, tool_version, settings_json) VALUES (?, ?, 'complete', ?, ?, 'fixture-machine', 'wrk', '4', ?)`,
        [id, `2026-12-0${id - 10}T10:00:00.000Z`, harness, tree, JSON.stringify({ edition: { whole_book: true } })],
      );
      editions.run(`INSERT INTO summaries(session_id, subject, scenario, settings_key, runs, failed_runs, rps_median, ratio_median) VALUES (?, 'v1-baseline', 'hot', 'k', 6, 0, 1000, ?)`, [id, ratio]);
    };
    edition(11, 'aaaaaaa1', 0.5);
    edition(12, 'aaaaaaa1', 0.51); // the same code measured twice: ±2% of noise
    edition(13, 'bbbbbbb2', 0.6); // a new harness: +17.6%, beyond the band
    const html = errataFragment(directQueries(editions), 'measurements.html');
    editions.close();
    expect(html).toContain('Measured from 1 pair of editions with one harness');
    const rows = html.match(/<tr><td>[^]*?<\/tr>/g) ?? [];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('<td>v1-baseline</td><td>hot</td>');
    expect(rows[0]).toContain('<a href="measurements.html#session-12">51.0%</a>');
    expect(rows[0]).toContain('<a href="measurements.html#session-13">60.0%</a>');
    expect(rows[0]).toContain('>moved</td>');
  });

  it('errata: a subject the cited edition did not measure keeps its last editions, marked as not in it', async () => {
    const editions = await createFixtureDatabase();
    const edition = (id: number, subjects: string[]) => {
      editions.run(
        `INSERT INTO sessions(id, started_at, status, harness_commit, harness_tree, machine_fingerprint, tool, tool_version, settings_json) VALUES (?, ?, 'complete', 'aaaaaaa1', NULL, 'fixture-machine', 'wrk', '4', ?)`,
        [id, `2026-12-0${id - 10}T10:00:00.000Z`, JSON.stringify({ edition: { whole_book: true } })],
      );
      for (const subject of subjects) editions.run(`INSERT INTO summaries(session_id, subject, scenario, settings_key, runs, failed_runs, rps_median, ratio_median) VALUES (?, ?, 'hot', 'k', 6, 0, 1000, 0.5)`, [id, subject]);
    };
    edition(11, ['v1-baseline', 'v2-node-http']);
    edition(12, ['v1-baseline', 'v2-node-http']);
    edition(13, ['v1-baseline']); // the cited edition: chapter 2 no longer measured
    const html = errataFragment(directQueries(editions), 'measurements.html');
    editions.close();
    const rows = html.match(/<tr><td>[^]*?<\/tr>/g) ?? [];
    expect(rows).toHaveLength(2);
    const [first, second] = ['v1-baseline', 'v2-node-http'].map((subject) => rows.find((row) => row.includes(`<td>${subject}</td>`)) ?? '');
    expect(first).toContain('<a href="measurements.html#session-13">');
    expect(first).toContain('>same code and harness: noise</td>');
    expect(second).toContain('<a href="measurements.html#session-12">');
    expect(second).toContain('>not in the cited edition</td>');
  });

  it('errata: two commits with one harness tree (a change of the book between them) are the same harness measured twice', async () => {
    const editions = await createFixtureDatabase();
    const edition = (id: number, commit: string, tree: string, ratio: number) => {
      editions.run(
        `INSERT INTO sessions(id, started_at, status, harness_commit, harness_tree, machine_fingerprint, tool, tool_version, settings_json) VALUES (?, ?, 'complete', ?, ?, 'fixture-machine', 'wrk', '4', ?)`,
        [id, `2026-12-0${id - 10}T10:00:00.000Z`, commit, tree, JSON.stringify({ edition: { whole_book: true } })],
      );
      editions.run(`INSERT INTO summaries(session_id, subject, scenario, settings_key, runs, failed_runs, rps_median, ratio_median) VALUES (?, 'v1-baseline', 'hot', 'k', 6, 0, 1000, ?)`, [id, ratio]);
    };
    edition(11, 'aaaaaaa1', 'tree-a', 0.5);
    edition(12, 'ccccccc3', 'tree-a', 0.7); // another commit, the same harness files
    const html = errataFragment(directQueries(editions), 'measurements.html');
    editions.close();
    expect(html).toContain('Measured from 1 pair of editions with one harness');
    expect(html).toContain('>same code and harness: noise</td>');
    expect(html).not.toContain('>moved</td>');
  });

  it('measurements: one section per session with machine, tool, runs and settings', () => {
    const html = measurementsFragment(directQueries(db));
    expect(html.match(/<section class="measurement-session" id="session-\d+">/g)).toHaveLength(2);
    expect(html).toContain('<dt>Load generator</dt><dd>autocannon 9.0.0</dd>');
    expect(html).toContain('<dt>Runs</dt><dd>6 measured, 0 failed</dd>');
    expect(html).toContain('&quot;connections&quot;: 50');
  });
});

describe('measurements of a cost session', () => {
  it('shows its instruction counts and subjects, not "0 measured" alone', async () => {
    const costDb = await createFixtureDatabase();
    costDb.run(`INSERT INTO sessions (id, kind, started_at, status, harness_commit, harness_dirty, machine_fingerprint, tool, tool_version, settings_json)
                VALUES (9, 'cost', '2026-11-21T10:00:00.000Z', 'complete', '${'f'.repeat(40)}', 0, 'fixture-machine', 'callgrind', '3.19.0', '{}')`);
    for (const [subject, scenario] of [['v1-baseline', 'hot'], ['v1-baseline', 'mix'], ['v2-index', 'hot']]) {
      costDb.run(`INSERT INTO costs (session_id, subject, scenario, requests_per_window, windows, processes, instructions_per_request, min_per_request, max_per_request, range, cv, node_flags, valgrind_version, node_version, windows_json)
                  VALUES (9, '${subject}', '${scenario}', 200, 4, 1, 1000, 999, 1001, 0.002, 0.001, '--jitless', '3.19.0', 'v20', '[]')`);
    }
    const html = measurementsFragment(directQueries(costDb));
    const section = html.slice(html.indexOf('id="session-9"'));
    expect(section).toContain('<dt>Runs</dt><dd>0 measured, 0 failed</dd>');
    expect(section).toContain('<dt>Instruction counts</dt><dd>3 (subject × scenario, 12 callgrind windows; recorded as counts, not as runs)</dd>');
    expect(section).toMatch(/<dt>Subjects<\/dt><dd>(v1-baseline,v2-index|v2-index,v1-baseline)<\/dd>/);
    // A session without counts has no such line.
    expect(html.slice(0, html.indexOf('id="session-9"'))).not.toContain('Instruction counts');
  });
});

describe('statusText', () => {
  it('says why a withdrawn session is not cited, and other statuses as they are', () => {
    expect(statusText('withdrawn', JSON.stringify({ withdrawn: { reason: 'steal on the pinned CPUs' } }))).toBe('withdrawn, never cited: steal on the pinned CPUs');
    expect(statusText('withdrawn', '{}')).toBe('withdrawn, never cited');
    expect(statusText('complete', JSON.stringify({ withdrawn: { reason: 'x' } }))).toBe('complete');
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
