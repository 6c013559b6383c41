/**
 * `--profile` wired into the runner, end to end: a temporary repository of tiny chapter
 * servers (one of them a node:cluster primary with two workers), real 1-second load, a
 * real node --cpu-prof profile per chapter, stored in `profiles` and shown by `profile_top`.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../../db/database.ts';
import { parseOptions } from '../options.ts';
import { runBench } from './session.ts';
import type { ScenarioModule } from '../scenarios/module.ts';
import { summarize } from '../figures/summarize.ts';
import { createTinyRepo } from '../testing/tiny-repo.ts';
import { FEED } from '../subject/subject.ts';
import { sink } from '../testing/sink.ts';

const repos: string[] = [];
afterAll(() => {
  for (const dir of repos) rmSync(dir, { recursive: true, force: true });
});

/** One 1-second run per round, with a series sample: what a profiled run must not record. */
const oneRun: ScenarioModule = {
  name: 'one',
  description: 'one short run per round',
  comparesToReference: false,
  settingsKeyParts: () => ['one'],
  settings: () => ({}),
  warmup: () => null,
  runRound: async (context, round) => {
    const measured = await context.measure({ paths: ['/search?q=1'], keepAlive: true, connections: 2, durationSeconds: 1 });
    context.series('stress_test', measured.runId).write({ test_type: 'one', elapsed_seconds: round });
    return [measured.outcome];
  },
  summarize: (runs) => summarize(runs),
  failures: (runs) => runs.filter((r) => r.status === 'failed').length,
};

const TWO_CHAPTERS = [{ tag: 'v1-single' }, { tag: 'v2-cluster', env: { TINY_WORKERS: '2' } }];

async function bench(extra: string[], scenario: ScenarioModule = oneRun, chapters: Parameters<typeof createTinyRepo>[0] = TWO_CHAPTERS) {
  const { dir } = createTinyRepo(chapters);
  repos.push(dir);
  const options = { ...parseOptions(['--repo', dir, '--db', join(dir, 'bench.sqlite'), '--runs', '1', '--warmup', '0', ...extra]), scenarios: [scenario.name] };
  const stdout = sink();
  const stderr = sink();
  const code = await runBench(options, { stdout, stderr, scenarios: new Map([[scenario.name, scenario]]) });
  return { code, stdout: stdout.text, stderr: stderr.text, db: await openDatabase(options.dbPath) };
}

describe('npm run bench -- --profile', () => {
  it('profiles each chapter in one extra, unrecorded run: rows in profiles, profile_top, the report', async () => {
    const { code, stdout, stderr, db } = await bench(['--profile']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // The profiled runs are not measurements: one recorded run (and series sample) per chapter.
    expect(queryRows(db, 'SELECT subject, COUNT(*) AS n FROM runs GROUP BY subject ORDER BY subject')).toEqual([{ subject: 'v1-single', n: 1 }, { subject: 'v2-cluster', n: 1 }]);
    expect(queryRows(db, 'SELECT COUNT(*) AS n FROM stress_test_samples')).toEqual([{ n: 2 }]);

    // The cluster server: a table per process (primary first, by start time) and the merged one.
    const tables = queryRows(db, 'SELECT subject, process, COUNT(*) AS n, MIN(rank) AS first, MAX(rank) AS last, SUM(self_share) AS total FROM profiles GROUP BY subject, process ORDER BY subject, process');
    expect(tables.map((t) => [t.subject, t.process])).toEqual([
      ['v1-single', 'main'],
      ['v2-cluster', 'all'], ['v2-cluster', 'main'], ['v2-cluster', 'worker-1'], ['v2-cluster', 'worker-2'],
    ]);
    for (const t of tables) {
      expect(t.first).toBe(1);
      expect(t.last).toBe(t.n);
      expect(t.total as number).toBeCloseTo(1, 6);
    }
    const session = queryRows(db, 'SELECT id FROM sessions')[0].id;
    const top = queryRows(db, "SELECT tag, scenario, process, session_id, machine FROM profile_top WHERE rank = 1 ORDER BY tag");
    expect(top.map((r) => [r.tag, r.scenario, r.process, r.session_id])).toEqual([['v1-single', 'one', 'main', session], ['v2-cluster', 'one', 'all', session]]);
    expect(top[0].machine).toEqual(queryRows(db, 'SELECT machine FROM comparison_machine')[0].machine);
    // A chapter's own code is named relative to its tree.
    expect(queryRows(db, "SELECT COUNT(*) AS n FROM profiles WHERE file LIKE '/%' AND file NOT LIKE '(%'")).toEqual([{ n: 0 }]);

    expect(stdout).toMatch(/Where the time goes/);
    expect(stdout).toMatch(/v1-single \/ one:\n\| +# \| function/);
    expect(stdout).toMatch(/v2-cluster \/ one \(3 processes merged\):/); // the primary and its two workers
    const v1Block = stdout.split('v1-single / one:\n')[1].split('\n\n')[0].split('\n');
    const v1Table = v1Block.filter((line) => line.startsWith('|'));
    expect(v1Table.map((line) => line.split('|')[1].trim())).toEqual(['#', '--:', '1', '2', '3', '4', '5']);
    // Under the table, what it cannot show: the server's CPU by thread over the same window.
    expect(v1Block.at(-1)).toMatch(/^CPU by thread over the window \(\/proc\): event loop \d+\.\d\d s, other threads \d+\.\d\d s/);
    const threads = queryRows(db, 'SELECT subject, window_seconds, loop_cpu_seconds, other_cpu_seconds FROM profile_threads ORDER BY subject');
    expect(threads.map((t) => t.subject)).toEqual(['v1-single', 'v2-cluster']);
    for (const t of threads) {
      expect(t.window_seconds as number).toBeGreaterThan(0);
      expect(t.loop_cpu_seconds as number).toBeGreaterThan(0); // the servers answered the load on their event loops
      expect(t.other_cpu_seconds as number).toBeGreaterThanOrEqual(0);
    }
    // The view pairs them with the profile a page shows (profile_top's session).
    expect(queryRows(db, 'SELECT tag, session_id FROM profile_cpu_by_thread ORDER BY tag')).toEqual([{ tag: 'v1-single', session_id: session }, { tag: 'v2-cluster', session_id: session }]);
  });

  it('profiles a scenario with a provider of its own (ingest) on a server started with that provider', async () => {
    // What each round saw: the provider it may steer, and the title of the server it loads (the provider's environment names it).
    const seen: Array<{ provider: boolean; title: string }> = [];
    const ownProvider: ScenarioModule = {
      ...oneRun,
      name: 'own',
      ownProvider: () => ({ feed: FEED, env: { TINY_LABEL: 'own provider' } }),
      runRound: async (context, round) => {
        const answer = (await (await fetch(`${context.url}/search?q=1`)).json()) as { data: { events: Array<{ title: string }> } };
        seen.push({ provider: context.provider !== undefined, title: answer.data.events[0].title });
        return oneRun.runRound(context, round);
      },
    };
    const { code, stderr, db } = await bench(['--profile'], ownProvider, [{ tag: 'v1-single' }]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // One measured round and one profiled round.
    expect(seen).toEqual(Array.from({ length: 2 }, () => ({ provider: true, title: 'own provider' })));
    expect(queryRows(db, 'SELECT DISTINCT subject, scenario FROM profiles ORDER BY subject')).toEqual([{ subject: 'v1-single', scenario: 'own' }]);
  });

  it('records no profile without the flag', async () => {
    const { code, stdout, db } = await bench([]);
    expect(code).toBe(0);
    expect(queryRows(db, 'SELECT COUNT(*) AS n FROM profiles')).toEqual([{ n: 0 }]);
    expect(queryRows(db, 'SELECT COUNT(*) AS n FROM profile_top')).toEqual([{ n: 0 }]);
    expect(queryRows(db, 'SELECT COUNT(*) AS n FROM profile_threads')).toEqual([{ n: 0 }]);
    expect(stdout).not.toMatch(/Where the time goes|profiled run/);
    expect(JSON.parse(String(queryRows(db, 'SELECT settings_json FROM sessions')[0].settings_json)).profile).toBeNull();
  });
});
