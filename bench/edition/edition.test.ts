import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../../db/database.ts';
import { createTinyRepo } from '../testing/tiny-repo.ts';
import { sink } from '../testing/sink.ts';
import { parseEditionOptions } from './options.ts';
import { probesLine, runEdition } from './run.ts';
import { BenchStore } from '../store.ts';

const repos: string[] = [];
afterAll(() => {
  for (const dir of repos) rmSync(dir, { recursive: true, force: true });
});

describe('an edition, end to end on a tiny repository', () => {
  it('measures what the book cites into one session, the reference between slices, and a resumed edition keeps what was complete', async () => {
    const { dir } = createTinyRepo([{ tag: 'v1-a' }, { tag: 'v2-b' }]);
    repos.push(dir);
    const book = join(dir, 'book');
    mkdirSync(book, { recursive: true });
    writeFileSync(join(book, 'page.md'), `# A page\n\n<!-- @table:query="SELECT ratio_median FROM summaries WHERE subject IN ('v1-a', 'v2-b') AND scenario = 'hot'" -->\n`);
    const db = join(dir, 'edition.sqlite');
    const options = parseEditionOptions(['--repo', dir, '--db', db, '--book', book, '--no-cost', '--slice', '1', '--settle', '0', '--warmup', '0', '--min-rounds', '2', '--max-rounds', '2', '--reference-every', '2']);

    const dry = sink();
    expect(await runEdition({ ...options, dryRun: true }, { stdout: dry, stderr: sink() })).toBe(0);
    expect(dry.text).toMatch(/Edition plan: 1 part\(s\)/);
    expect(dry.text).toMatch(/hot\s+2 subject\(s\) × 2–2 round\(s\)/);
    expect(dry.text).toMatch(/Estimated: \d+ min \d\d s – \d+ min \d\d s/);

    const stdout = sink();
    const stderr = sink();
    const code = await runEdition(options, { stdout, stderr });
    expect(stderr.text).toBe('');
    expect(code).toBe(0);
    expect(stdout.text).toMatch(/edition: part 1\/1 hot \(2 subject\(s\), \d+:\d\d of the budget\) · elapsed \d+:\d\d · left \d+:\d\d–\d+:\d\d · ETA \d\d:\d\d UTC/);
    expect(stdout.text).toMatch(/hot\s+2 subject\(s\)\s+done in \d+:\d\d/);
    expect(stdout.text).toMatch(/Edition \d+: \d+:\d\d of wall time .* a partial edition/);

    let database = await openDatabase(db);
    const sessions = queryRows(database, 'SELECT id, status FROM sessions');
    expect(sessions).toEqual([{ id: 1, status: 'complete' }]);
    // Two rounds: nginx (where installed) once at the round's start, node:http before every two subject slices: N R a b, N R b a.
    const yardsticks = queryRows(database, "SELECT DISTINCT subject FROM runs WHERE subject IN ('reference', 'nginx') ORDER BY subject").map((r) => r.subject);
    expect(queryRows(database, 'SELECT subject FROM runs ORDER BY sequence').map((r) => r.subject)).toEqual([...yardsticks, 'v1-a', 'v2-b', ...yardsticks, 'v2-b', 'v1-a']);
    // A slice is clean or disturbed (this test runs beside other work: either may happen);
    // a disturbed one counts in no figure, and a subject with no clean slice has no ratio.
    const summaries = queryRows(database, "SELECT subject, runs, disturbed_runs, ratio_median FROM summaries WHERE subject NOT IN ('reference', 'nginx') ORDER BY subject");
    expect(summaries.map((s) => [s.subject, Number(s.runs) + Number(s.disturbed_runs)])).toEqual([['v1-a', 2], ['v2-b', 2]]);
    const disturbed = queryRows(database, 'SELECT COUNT(*) AS n FROM runs WHERE disturbance IS NOT NULL')[0].n;
    const yardstickDisturbed = queryRows(database, "SELECT disturbed_runs FROM summaries WHERE subject IN ('reference', 'nginx')").reduce((t, s) => t + Number(s.disturbed_runs), 0);
    expect(disturbed).toBe(summaries.reduce((t, s) => t + Number(s.disturbed_runs), 0) + yardstickDisturbed);
    for (const s of summaries) if (Number(s.runs) === 0) expect(s.ratio_median).toBeNull();
    const edition = queryRows(database, 'SELECT session_id, status, complete, whole_book, runs, disturbed_runs FROM edition');
    const runs = 4 + 2 * yardsticks.length;
    expect(edition).toEqual([{ session_id: 1, status: 'complete', complete: 0, whole_book: 0, runs, disturbed_runs: disturbed }]);

    // As if Ctrl-C had come after the part: the resumed edition finds both subjects complete and measures nothing again.
    database.run("UPDATE sessions SET status = 'interrupted', settings_json = json_set(settings_json, '$.edition.done', json('{}'))");
    writeFileSync(db, database.export());
    const resumed = sink();
    expect(await runEdition({ ...options, resume: 1 }, { stdout: resumed, stderr: sink() })).toBe(0);
    database = await openDatabase(db);
    expect(queryRows(database, 'SELECT COUNT(*) AS n FROM runs')).toEqual([{ n: runs }]);
    expect(queryRows(database, 'SELECT status FROM sessions')).toEqual([{ status: 'complete' }]);
  }, 120_000);

  it('refuses to resume an edition of another harness commit or one that is complete, with a clear message', async () => {
    const { dir } = createTinyRepo([{ tag: 'v1-a' }]);
    repos.push(dir);
    const book = join(dir, 'book');
    mkdirSync(book, { recursive: true });
    writeFileSync(join(book, 'page.md'), `<!-- @metric:tag="v1-a" -->\n`);
    const options = parseEditionOptions(['--repo', dir, '--db', join(dir, 'e.sqlite'), '--book', book, '--no-cost', '--resume', '7']);
    await expect(runEdition(options, { stdout: sink(), stderr: sink() })).rejects.toThrow(/--resume 7: no edition session with that id/);
  });
});

describe("the edition's closing report", () => {
  it('counts the capacity probes and those disturbed, and says nothing of probes where there were none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edition-report-'));
    try {
      const store = await BenchStore.open(join(dir, 'bench.sqlite'));
      store.db.run("INSERT INTO machine_info(fingerprint, cpu_model, cores, memory_bytes, kernel, os, node_version) VALUES ('m', 'Xeon', 2, 1, 'k', 'linux', 'v20')");
      const id = store.startSession({ started_at: '2026-12-06T21:00:00Z', harness_commit: 'h', harness_dirty: 0, machine_fingerprint: 'm', tool: 'wrk', tool_version: '4', server_cpus: '0', loadgen_cpus: '1', pinning_note: null, settings: {} });
      expect(probesLine(store, id)).toEqual([]);
      const probes = store.seriesWriter('capacity_probes', { sessionId: id, subject: 'v1-a', experiment: '', scenario: 'capacity-mix' });
      for (const [index, verdict] of ['disturbed, offered again: steal 9.0% of the pinned CPUs (p99 3.0 ms ≤ 50 ms)', 'p99 3.1 ms ≤ 50 ms', 'errors 2.00% > 0.1%'].entries()) {
        probes.write({ request_set: 'mix', round: 0, probe_index: index, offered_rate: 1000, measured_seconds: 2, goodput_rps: 1000, error_rate: 0, p99_latency_us: 3000, p999_latency_us: 3000, max_latency_us: 3000, objective_p99_us: 50_000, objective_error_rate: 0.001, meets: index === 1, generator_behind: false, verdict });
      }
      expect(probesLine(store, id)).toEqual(['  3 capacity probes, 1 disturbed (offered again at their rate)']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
