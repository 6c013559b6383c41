import { describe, expect, it } from 'vitest';
import type { Chapter } from '../../db/chapters.ts';
import { createDatabase, queryRows } from '../../db/database.ts';
import { costs } from '../../db/schema.ts';
import { insertRow } from '../../db/table.ts';
import { UsageError } from '../../cli/args.ts';
import { parseCostArgs } from './args.ts';
import { windowPaths, type CostMeasurement } from './measure.ts';
import { costRow, selectChapters, selectsReference } from './record.ts';

const CHAPTERS: Chapter[] = [
  { number: 1, tag: 'v1-a', commit: 'a'.repeat(40), title: 'A', technique: 'a', summary: 'a' },
  { number: 2, tag: 'v2-b', commit: 'b'.repeat(40), title: 'B', technique: 'b', summary: 'b' },
];

function measurement(perWindow: number[]): CostMeasurement {
  const sorted = [...perWindow].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return {
    windows: perWindow.map((perRequest, window) => ({ process: 0, window, requests: 10, instructions: perRequest * 10 + 2_000_000, timerInstructions: 2_000_000, gcInstructions: 0, seconds: 8, rawPerRequest: perRequest + 200_000, perRequest, processCount: 1 })),
    perRequest: { median, min: sorted[0], max: sorted[sorted.length - 1], range: (sorted[sorted.length - 1] - sorted[0]) / median, cv: 0.001, n: perWindow.length },
    rawPerRequest: { median: median + 200_000, min: sorted[0] + 200_000, max: sorted[sorted.length - 1] + 200_000, range: (sorted[sorted.length - 1] - sorted[0]) / (median + 200_000), cv: 0.001, n: perWindow.length },
    timerInstructionsPerSecond: 250_000,
    gcPerRequest: 0,
    withinProcess: [],
    provenance: { valgrind: 'valgrind-3.19.0', node: 'v20.20.2', nodeFlags: ['--jitless'], valgrindArgs: [], requests: 10, warmupRequests: 5, processes: 1, windowsPerProcess: perWindow.length, paths: 1 },
  };
}

describe('cost --record', () => {
  it('parses --record with its own flags, and refuses them without it', () => {
    expect(parseCostArgs(['--record', '--chapters', 'v1-a,v2-b', '--scenario', 'mix', '--jobs', '1', '--db', '/tmp/x.sqlite'])).toMatchObject({
      record: true,
      chapters: ['v1-a', 'v2-b'],
      scenarios: ['mix'],
      jobs: 1,
      db: '/tmp/x.sqlite',
    });
    expect(parseCostArgs(['--record'])).toMatchObject({ chapters: null, scenarios: ['hot', 'mix'], jobs: 2, db: 'data/bench.sqlite' });
    expect(() => parseCostArgs(['--record', '--scenario', 'close'])).toThrow(/--scenario takes hot and\/or mix, got "close"/);
    expect(() => parseCostArgs(['--record', '--ref', 'HEAD'])).toThrow(/use --chapters instead of --ref/);
    expect(() => parseCostArgs(['--ref', 'HEAD', '--chapters', 'v1-a'])).toThrow(/--chapters goes with --record/);
  });

  it('selects chapters in book order and names an unknown tag', () => {
    expect(selectChapters(CHAPTERS, null).map((c) => c.tag)).toEqual(['v1-a', 'v2-b']);
    expect(selectChapters(CHAPTERS, ['v2-b', 'v1-a']).map((c) => c.tag)).toEqual(['v1-a', 'v2-b']);
    expect(() => selectChapters(CHAPTERS, ['v9-x'])).toThrow(UsageError);
    expect(() => selectChapters(CHAPTERS, ['v9-x'])).toThrow(/unknown chapter v9-x \(known: v1-a, v2-b\)/);
  });

  it('counts the bare node:http reference by default and when --chapters names it, as subject "reference" at the harness commit', () => {
    expect(selectsReference(null)).toBe(true);
    expect(selectsReference(['v1-a'])).toBe(false);
    expect(selectsReference(['reference', 'v2-b'])).toBe(true);
    expect(selectChapters(CHAPTERS, ['reference', 'v2-b']).map((c) => c.tag)).toEqual(['v2-b']);
    expect(selectChapters(CHAPTERS, ['reference'])).toEqual([]);
    expect(costRow(1, { chapter: null, scenario: 'hot' }, measurement([100, 101, 102]), 'f'.repeat(40))).toMatchObject({ subject: 'reference', commit_hash: 'f'.repeat(40), instructions_per_request: 101 });
  });

  it('stores a measurement as a costs row that chapter_costs shows for the latest cost session of the comparison machine', async () => {
    const db = await createDatabase();
    db.run("INSERT INTO chapters(tag, chapter_number, title, technique, summary, commit_hash) VALUES ('v1-a', 1, 'A', 'a', 'a', ?)", ['a'.repeat(40)]);
    db.run("INSERT INTO machine_info(fingerprint, cpu_model, cores, memory_bytes, kernel, os, node_version) VALUES ('m1', 'CPU', 2, 1, 'k', 'linux', 'v20'), ('m2', 'Other', 4, 1, 'k', 'linux', 'v20')");
    const session = (id: number, kind: string, machine: string, at: string) =>
      db.run(
        "INSERT INTO sessions(id, kind, started_at, status, harness_commit, machine_fingerprint, tool, tool_version, settings_json) VALUES (?, ?, ?, 'complete', 'h', ?, 't', 'v', '{}')",
        [id, kind, at, machine],
      );
    session(1, 'bench', 'm1', '2026-11-01T00:00:00Z'); // makes m1 the comparison machine
    session(2, 'cost', 'm1', '2026-11-02T00:00:00Z');
    session(3, 'cost', 'm1', '2026-11-03T00:00:00Z');
    session(4, 'cost', 'm2', '2026-11-04T00:00:00Z'); // another machine: never shown
    const job = { chapter: CHAPTERS[0], scenario: 'hot' as const };
    insertRow(db, costs, costRow(2, job, measurement([500, 510, 505]), 'f'.repeat(40)));
    insertRow(db, costs, costRow(3, job, measurement([400, 402, 401]), 'f'.repeat(40)));
    insertRow(db, costs, costRow(4, job, measurement([900, 900, 900]), 'f'.repeat(40)));
    const rows = queryRows(db, 'SELECT tag, chapter_number, scenario, instructions_per_request, min_per_request, max_per_request, windows, node_flags, session_id, machine FROM chapter_costs');
    expect(rows).toEqual([
      { tag: 'v1-a', chapter_number: 1, scenario: 'hot', instructions_per_request: 401, min_per_request: 400, max_per_request: 402, windows: 3, node_flags: '--jitless', session_id: 3, machine: 'CPU · 2 cores · linux' },
    ]);
    const spread = queryRows(db, 'SELECT raw_range, timer_instructions_per_second, gc_per_request FROM chapter_costs')[0];
    expect(spread).toEqual({ raw_range: 2 / 200_401, timer_instructions_per_second: 250_000, gc_per_request: 0 });
    const stored = queryRows(db, 'SELECT windows_json, startup_instructions, commit_hash FROM costs WHERE session_id = 3')[0];
    expect(JSON.parse(stored.windows_json as string)).toHaveLength(3);
    expect(stored.startup_instructions).toBeNull();
    expect(stored.commit_hash).toBe('a'.repeat(40));
  });

  it('shows in chapter_costs, once an edition is cited, the cost session it names for each chapter and for the reference, and nothing it does not name', async () => {
    const db = await createDatabase();
    db.run("INSERT INTO chapters(tag, chapter_number, title, technique, summary, commit_hash) VALUES ('v1-a', 1, 'A', 'a', 'a', ?), ('v2-b', 2, 'B', 'b', 'b', ?)", ['a'.repeat(40), 'b'.repeat(40)]);
    db.run("INSERT INTO machine_info(fingerprint, cpu_model, cores, memory_bytes, kernel, os, node_version) VALUES ('m1', 'CPU', 2, 1, 'k', 'linux', 'v20')");
    const session = (id: number, kind: string, settings: unknown) =>
      db.run(
        "INSERT INTO sessions(id, kind, started_at, status, harness_commit, machine_fingerprint, tool, tool_version, settings_json) VALUES (?, ?, ?, 'complete', 'h', 'm1', 't', 'v', ?)",
        [id, kind, `2026-11-0${id}T00:00:00Z`, JSON.stringify(settings)],
      );
    session(1, 'cost', {});
    session(2, 'cost', {});
    session(4, 'bench', {}); // makes m1 the comparison machine
    const count = (id: number, chapter: (typeof CHAPTERS)[number] | null, m: number) => insertRow(db, costs, costRow(id, { chapter, scenario: 'hot' }, measurement([m, m, m]), 'f'.repeat(40)));
    count(1, CHAPTERS[0], 500);
    count(1, null, 300);
    count(2, CHAPTERS[0], 400);
    count(2, null, 200);
    count(2, CHAPTERS[1], 700);
    const shown = () => queryRows(db, 'SELECT tag, instructions_per_request, session_id FROM chapter_costs ORDER BY tag');
    // Before the first edition: the latest count of each subject.
    expect(shown()).toEqual([
      { tag: 'reference', instructions_per_request: 200, session_id: 2 },
      { tag: 'v1-a', instructions_per_request: 400, session_id: 2 },
      { tag: 'v2-b', instructions_per_request: 700, session_id: 2 },
    ]);
    session(3, 'bench', { edition: { whole_book: true, cost: { keys: {}, sessions: { 'v1-a': 1, reference: 1 } }, cost_session_id: 1 } });
    expect(shown()).toEqual([
      { tag: 'reference', instructions_per_request: 300, session_id: 1 },
      { tag: 'v1-a', instructions_per_request: 500, session_id: 1 },
    ]);
    // The edition may reuse a count made on another machine of its kind (here: the same CPU under
    // another kernel, so another fingerprint): shown, and named by the machine that counted it.
    db.run("INSERT INTO machine_info(fingerprint, cpu_model, cores, memory_bytes, kernel, os, node_version) VALUES ('m2', 'CPU', 2, 1, 'k2', 'linux', 'v20')");
    db.run("INSERT INTO sessions(id, kind, started_at, status, harness_commit, machine_fingerprint, tool, tool_version, settings_json) VALUES (5, 'cost', '2026-11-05T00:00:00Z', 'complete', 'h', 'm2', 't', 'v', '{}')");
    count(5, CHAPTERS[1], 650);
    session(6, 'bench', { edition: { whole_book: true, cost: { keys: {}, sessions: { 'v1-a': 2, 'v2-b': 5 } }, cost_session_id: null } });
    expect(queryRows(db, 'SELECT tag, instructions_per_request, session_id, machine_fingerprint FROM chapter_costs ORDER BY tag')).toEqual([
      { tag: 'v1-a', instructions_per_request: 400, session_id: 2, machine_fingerprint: 'm1' },
      { tag: 'v2-b', instructions_per_request: 650, session_id: 5, machine_fingerprint: 'm2' },
    ]);
  });
});

describe('windowPaths', () => {
  it('cuts a sequence longer than a window to its first N paths, and sends a shorter list in whole cycles', () => {
    const long = Array.from({ length: 200_000 }, (_, i) => `/p${i}`);
    expect(windowPaths(long, 200)).toEqual({ paths: long.slice(0, 200), requests: 200 });
    const short = Array.from({ length: 64 }, (_, i) => `/p${i}`);
    expect(windowPaths(short, 200)).toEqual({ paths: short, requests: 192 });
    expect(windowPaths(['/hot'], 50)).toEqual({ paths: ['/hot'], requests: 50 });
  });
});
