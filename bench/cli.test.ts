/**
 * End to end: the real CLI as a child process, against a temporary git repository
 * of a tiny server honouring the chapter contract, with real load (autocannon,
 * 1-second runs). Nothing is mocked; the CLI runs from this test run's bundle of its source
 * (testing/cli-bundle.ts), once through tsx as `npm run bench` starts it.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../db/database.ts';
import { listWorktrees } from './git/worktree.ts';
import { planPinning } from './proc/pinning.ts';
import { bench, processesInside } from './testing/bench-child.ts';
import { createTinyRepo } from './testing/tiny-repo.ts';

const repos: string[] = [];
afterAll(() => {
  for (const dir of repos) rmSync(dir, { recursive: true, force: true });
});

function tinyRepo(chapters: Parameters<typeof createTinyRepo>[0]) {
  const repo = createTinyRepo(chapters);
  repos.push(repo.dir);
  return { ...repo, db: join(repo.dir, 'bench.sqlite') };
}

const SHORT = ['--duration', '1', '--warmup', '0', '--settle', '0', '--connections', '1'];
/**
 * Per test: each starts the CLI (tsx compiling it) one to six times and most run a session
 * (worktree, install, build, two yardsticks, the chapters). On a loaded 2-core machine one
 * session took over 40 s, so the default 60 s timed out tests of two sessions or six starts.
 */
const SESSIONS_TIMEOUT = 180_000;
/** SHORT, with a one-second unrecorded settle before every measured run. */
const SETTLED = ['--duration', '1', '--warmup', '0', '--settle', '1', '--connections', '1'];

describe('npm run bench (end to end)', () => {
  it('measures every chapter at its commit, skips what is measured, re-measures with --force, exports', async () => {
    const { dir, db, commits } = tinyRepo([{ tag: 'v1-tiny' }, { tag: 'v2-tiny' }]);
    const first = await bench(['--repo', dir, '--db', db, '--scenario', 'hot', '--runs', '2', ...SETTLED]);
    expect(first.stderr).not.toMatch(/Error|failed/);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/median req\/s \[95% CI\]/);

    let database = await openDatabase(db);
    const runs = queryRows(database, "SELECT subject, commit_hash, run_index, sequence, status FROM runs WHERE status = 'ok' ORDER BY sequence");
    // Every measured run follows its subject's unrecorded settle: the recorded positions in the session's order skip one each time.
    expect(runs.map((r) => Number(r.sequence))).toEqual([1, 3, 5, 7, 9, 11, 13, 15]);
    expect(runs.filter((r) => r.subject === 'v1-tiny').map((r) => r.commit_hash)).toEqual([commits['v1-tiny'], commits['v1-tiny']]);
    expect(runs.filter((r) => r.subject === 'v2-tiny').map((r) => r.commit_hash)).toEqual([commits['v2-tiny'], commits['v2-tiny']]);
    expect(runs.filter((r) => r.subject === 'reference').map((r) => r.commit_hash)).toEqual([null, null]);
    expect(runs.filter((r) => r.subject === 'nginx').map((r) => r.commit_hash)).toEqual([null, null]);
    // Interleaved and rotated: round 0 starts with the node:http reference, round 1 with nginx (the second yardstick).
    expect(runs.map((r) => `${r.run_index}:${r.subject}`)).toEqual([
      '0:reference', '0:nginx', '0:v1-tiny', '0:v2-tiny', '1:nginx', '1:v1-tiny', '1:v2-tiny', '1:reference',
    ]);
    // Every subject has a ratio to each yardstick but itself, or none with the reason; the view puts both side by side.
    const ratios = queryRows(database, 'SELECT subject, yardstick, ratio_median, ratio_note FROM yardstick_ratios ORDER BY subject, yardstick');
    expect(ratios.map((r) => `${r.subject}/${r.yardstick}`)).toEqual([
      'nginx/reference', 'reference/nginx', 'v1-tiny/nginx', 'v1-tiny/reference', 'v2-tiny/nginx', 'v2-tiny/reference',
    ]);
    for (const r of ratios) {
      if (r.ratio_median === null) expect(r.ratio_note).toMatch(/the load generator was the limit/);
      else expect(r.ratio_median as number).toBeGreaterThan(0);
    }
    const nodeRatios = queryRows(database, "SELECT subject, ratio_median FROM summaries WHERE subject LIKE 'v%' ORDER BY subject");
    const viewed = queryRows(database, 'SELECT tag, kind, node_ratio, nginx_ratio FROM yardsticks ORDER BY tag');
    expect(viewed.map((v) => `${v.tag}:${v.kind}`)).toEqual(['nginx:yardstick', 'reference:yardstick', 'v1-tiny:chapter', 'v2-tiny:chapter']);
    expect(viewed.filter((v) => v.kind === 'chapter').map((v) => ({ subject: v.tag, ratio_median: v.node_ratio }))).toEqual(nodeRatios);
    const wire = queryRows(database, "SELECT tag, bytes_per_response FROM wire_bytes WHERE scenario = 'hot' ORDER BY tag");
    expect(wire.map((w) => w.tag)).toEqual(['nginx', 'reference', 'v1-tiny', 'v2-tiny']);
    for (const w of wire) expect(w.bytes_per_response as number).toBeGreaterThan(0);
    const samples = queryRows(database, 'SELECT COUNT(*) AS n FROM run_samples');
    expect(Number(samples[0].n)).toBeGreaterThan(0);
    const versions = queryRows(database, 'SELECT tag, baseline_rps, reference_ratio, ratio_note FROM versions ORDER BY chapter_number');
    expect(versions.map((v) => v.tag)).toEqual(['v1-tiny', 'v2-tiny']);
    for (const v of versions) {
      expect(v.baseline_rps as number).toBeGreaterThan(0);
      // A ratio, or none because the load generator was the limit — never a number from a saturated run.
      if (v.reference_ratio === null) expect(v.ratio_note).toMatch(/the load generator was the limit/);
      else expect(v.reference_ratio as number).toBeGreaterThan(0);
    }
    const session = queryRows(database, 'SELECT status, harness_commit, tool, settings_json, server_cpus, loadgen_cpus, pinning_note FROM sessions')[0];
    expect(session.status).toBe('complete');
    expect(session.tool).toBe('wrk');
    // Pinned as this machine allows, and recorded in both places.
    const plan = await planPinning(true);
    expect({ server_cpus: session.server_cpus, loadgen_cpus: session.loadgen_cpus, pinning_note: session.pinning_note }).toEqual({ server_cpus: plan.serverCpus, loadgen_cpus: plan.loadgenCpus, pinning_note: plan.note });
    expect(first.stdout).toContain(plan.note);
    expect(session.harness_commit).toMatch(/^[0-9a-f]{40}$/);
    const settings = JSON.parse(session.settings_json as string);
    expect(settings.pinning).toMatchObject({ server_cpus: plan.serverCpus, loadgen_cpus: plan.loadgenCpus, note: plan.note });
    expect(settings.statistics.interval_method_for_runs).toBe('bootstrap');
    expect(Object.keys(settings.preparation)).toEqual(['v1-tiny', 'v2-tiny']);
    expect(queryRows(database, 'SELECT subject, status FROM preparations ORDER BY subject')).toEqual([
      { subject: 'v1-tiny', status: 'ok' },
      { subject: 'v2-tiny', status: 'ok' },
    ]);
    expect(await listWorktrees(dir)).toEqual([]);
    expect(processesInside(dir)).toEqual([]);

    // Already measured on this machine with these settings: skipped, nothing new.
    const again = await bench(['--repo', dir, '--db', db, '--scenario', 'hot', '--runs', '2', ...SETTLED]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/skip v1-tiny \/ hot: already measured/);
    expect(again.stdout).toMatch(/nothing to measure/);
    database = await openDatabase(db);
    expect(queryRows(database, 'SELECT COUNT(*) AS n FROM sessions')[0].n).toBe(1);

    const listed = await bench(['--repo', dir, '--db', db, '--scenario', 'hot', '--runs', '2', ...SETTLED, '--list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/v1-tiny .* hot .* 2 ok\/0 failed runs .*this machine, current settings/);

    // --force re-measures (only the chapter asked for), and --export writes both formats.
    const exportDir = join(dir, 'export');
    const forced = await bench(['--repo', dir, '--db', db, '--scenario', 'hot', '--runs', '1', '--chapters', 'v2-tiny', '--force', '--export', exportDir, ...SHORT]);
    expect(forced.code).toBe(0);
    database = await openDatabase(db);
    expect(queryRows(database, 'SELECT session_id, subject FROM runs WHERE session_id = 2 ORDER BY sequence')).toEqual([
      { session_id: 2, subject: 'reference' },
      { session_id: 2, subject: 'nginx' },
      { session_id: 2, subject: 'v2-tiny' },
    ]);
    const bencher = JSON.parse(readFileSync(join(exportDir, 'bencher.json'), 'utf8'));
    expect(Object.keys(bencher).sort()).toEqual(['nginx/hot', 'reference/hot', 'v1-tiny/hot', 'v2-tiny/hot']);
    expect(bencher['v2-tiny/hot'].throughput.value).toBeGreaterThan(0);
    const gab = JSON.parse(readFileSync(join(exportDir, 'github-action-benchmark.json'), 'utf8'));
    expect(gab.map((e: { name: string; unit: string }) => `${e.name} ${e.unit}`)).toEqual(['nginx/hot req/s', 'reference/hot req/s', 'v1-tiny/hot req/s', 'v2-tiny/hot req/s']);
  }, 300_000); // three bench sessions, each with two yardsticks and two chapters (minutes on a loaded 2-core machine)

  it('reports a chapter whose server fails to start with its stderr tail, measures the others, leaves nothing behind', async () => {
    const { dir, db } = tinyRepo([{ tag: 'v1-ok' }, { tag: 'v2-broken', env: { TINY_FAIL_MESSAGE: 'FATAL: cannot bind the index file' } }]);
    const result = await bench(['--repo', dir, '--db', db, '--scenario', 'hot', '--runs', '1', ...SHORT]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/v2-broken could not be prepared or started:[\s\S]*exited \(code 3\) before it was ready[\s\S]*FATAL: cannot bind the index file/);
    const database = await openDatabase(db);
    expect(queryRows(database, 'SELECT DISTINCT subject FROM runs ORDER BY subject')).toEqual([{ subject: 'nginx' }, { subject: 'reference' }, { subject: 'v1-ok' }]);
    expect(queryRows(database, "SELECT status FROM preparations WHERE subject = 'v2-broken'")).toEqual([{ status: 'failed' }]);
    expect(queryRows(database, 'SELECT status FROM sessions')).toEqual([{ status: 'failed' }]);
    expect(await listWorktrees(dir)).toEqual([]);
    expect(processesInside(dir)).toEqual([]);
  }, SESSIONS_TIMEOUT);

  it('sweep: steps concurrency until a limit is crossed and records each step', async () => {
    const { dir, db } = tinyRepo([{ tag: 'v1-a' }]);
    // A p99 limit no real server meets: the first step (1 connection) is already unhealthy.
    const result = await bench(['--repo', dir, '--db', db, '--scenario', 'sweep', '--runs', '1', '--sweep-max-p99', '0.000001', ...SHORT]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/sweep v1-a: 1 connections unhealthy \(p99 .* ms > 0\.000001 ms\); capacity not found/);
    const database = await openDatabase(db);
    expect(queryRows(database, "SELECT subject, scenario, connections FROM runs")).toEqual([{ subject: 'v1-a', scenario: 'sweep', connections: 1 }]);
    expect(queryRows(database, 'SELECT runs, failed_runs, capacity_connections, capacity_rps FROM summaries')).toEqual([
      { runs: 0, failed_runs: 1, capacity_connections: null, capacity_rps: null },
    ]);
  }, SESSIONS_TIMEOUT);

  it('goes on unpinned, and says so, when taskset fails; then stops on SIGINT mid-run: exit 130, database intact, session interrupted, nothing left behind', async () => {
    const { dir, db } = tinyRepo([{ tag: 'v1-a' }, { tag: 'v2-b' }]);
    // The complete session the interrupted one follows runs with a taskset that fails (one session for both behaviours).
    const fake = mkdtempSync(join(tmpdir(), 'bench-taskset-'));
    repos.push(fake);
    writeFileSync(join(fake, 'taskset'), '#!/bin/sh\necho "taskset: sched_getaffinity: Operation not permitted" >&2\nexit 1\n');
    chmodSync(join(fake, 'taskset'), 0o755);
    const complete = await bench(['--repo', dir, '--db', db, '--scenario', 'hot', '--runs', '1', '--chapters', 'v1-a', ...SHORT], { env: { ...process.env, PATH: `${fake}:${process.env.PATH}` } });
    expect(complete.stderr).toBe('');
    expect(complete.code).toBe(0);
    const note = 'not pinned: taskset failed: taskset: sched_getaffinity: Operation not permitted';
    expect(complete.stdout).toContain(note);
    const unpinned = await openDatabase(db);
    expect(queryRows(unpinned, 'SELECT status, server_cpus, loadgen_cpus, pinning_note FROM sessions')).toEqual([{ status: 'complete', server_cpus: null, loadgen_cpus: null, pinning_note: note }]);
    expect(JSON.parse(queryRows(unpinned, 'SELECT settings_json FROM sessions')[0].settings_json as string).pinning).toMatchObject({ server_cpus: null, note });
    expect(queryRows(unpinned, "SELECT COUNT(*) AS n FROM runs WHERE status = 'ok' AND subject <> 'nginx'")[0].n).toBe(2);

    let sent = false;
    const interrupted = await bench(['--repo', dir, '--db', db, '--scenario', 'hot', '--runs', '5', '--force', ...SHORT], {
      onStdout: (text, child) => {
        // Interrupt once the first round is saved, while later runs are under way.
        if (!sent && /hot round 2\/5/.test(text)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toMatch(/session 2 marked interrupted/);
    const database = await openDatabase(db);
    expect(queryRows(database, 'SELECT id, status FROM sessions ORDER BY id')).toEqual([
      { id: 1, status: 'complete' },
      { id: 2, status: 'interrupted' },
    ]);
    expect(queryRows(database, 'SELECT COUNT(*) AS n FROM runs WHERE session_id = 1 AND subject <> \'nginx\'')[0].n).toBe(2);
    expect(Number(queryRows(database, 'SELECT COUNT(*) AS n FROM runs WHERE session_id = 2')[0].n)).toBeGreaterThanOrEqual(3);
    expect(existsSync(`${db}.lock`)).toBe(false);
    expect(await listWorktrees(dir)).toEqual([]);
    expect(processesInside(dir)).toEqual([]);
  }, SESSIONS_TIMEOUT);

  it('stops an open-loop overload on SIGINT mid-steps: exit 130, session interrupted, nothing left behind', async () => {
    const { dir, db } = tinyRepo([{ tag: 'v1-a' }]);
    let sent = false;
    // Six 20 s steps: longer than the test's timeout, so only the interrupt can end it in time.
    const interrupted = await bench(['--repo', dir, '--db', db, '--scenario', 'overload', '--capacity', '20', '--runs', '1', '--duration', '20', '--warmup', '0'], {
      onStdout: (text, child) => {
        if (!sent && /overload v1-a: capacity 20\.0 req\/s \(given\); offering 0\.5, 1, 1\.5, 2, 2\.5, 3 × it, 20 s a step/.test(text)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent).toBe(true);
    expect(interrupted.code).toBe(130);
    const database = await openDatabase(db);
    expect(queryRows(database, 'SELECT status FROM sessions')).toEqual([{ status: 'interrupted' }]);
    expect(existsSync(`${db}.lock`)).toBe(false);
    expect(await listWorktrees(dir)).toEqual([]);
    expect(processesInside(dir)).toEqual([]);
  }, 110_000); // under the six steps' 120 s, so only the interrupt can end it in time

  it('refuses a second concurrent bench, a missing tool, and bad flags — without touching the database', async () => {
    const { dir, db } = tinyRepo([{ tag: 'v1-a' }]);
    writeFileSync(`${db}.lock`, `${process.pid}\n`); // a live process holds the lock
    const locked = await bench(['--repo', dir, '--db', db, ...SHORT]);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toMatch(new RegExp(`another bench is already running on .*bench\\.sqlite \\(pid ${process.pid}\\)`));
    expect(existsSync(db)).toBe(false);
    rmSync(`${db}.lock`);

    // A PATH holding nothing but node: oha cannot be found, whatever this machine has installed.
    const onlyNode = mkdtempSync(join(tmpdir(), 'bench-path-'));
    repos.push(onlyNode);
    symlinkSync(process.execPath, join(onlyNode, 'node'));
    const oha = await bench(['--repo', dir, '--db', db, '--tool', 'oha'], { env: { ...process.env, PATH: onlyNode } });
    expect(oha.code).toBe(1);
    expect(oha.stderr).toMatch(/oha is not installed: .*install/i);
    expect(oha.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(db)).toBe(false);
    // wrk is the default: without --tool, its install command and how to name another tool.
    const noWrk = await bench(['--repo', dir, '--db', db], { env: { ...process.env, PATH: onlyNode } });
    expect(noWrk.code).toBe(1);
    expect(noWrk.stderr).toMatch(/wrk is not installed: apt-get install wrk \(it is the default load generator; or name another one: --tool autocannon\|oha\)/);
    expect(existsSync(db)).toBe(false);

    // Started as `npm run bench` starts it (node --import tsx), once: the other starts run this run's bundle of the same source.
    const bad = await bench(['--repo', dir, '--db', db, '--runs', 'many'], { tsx: true });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('bench: --runs must be an integer ≥ 1, got "many"\nRun with --help for the options.\n');
    const unknownChapter = await bench(['--repo', dir, '--db', db, '--chapters', 'v9-nope', ...SHORT]);
    expect(unknownChapter.code).toBe(2);
    expect(unknownChapter.stderr).toMatch(/--chapters: unknown chapter or experiment v9-nope \(known: v1-a\)/);
    expect(existsSync(db)).toBe(false);
  }, SESSIONS_TIMEOUT);

  it('--restore-tags recreates chapter tags a clone lacks, without measuring anything', async () => {
    const { dir, db } = tinyRepo([{ tag: 'v1-a' }, { tag: 'v2-b' }]);
    const commitOf = (ref: string) => execFileSync('git', ['rev-parse', ref], { cwd: dir, encoding: 'utf8' }).trim();
    const v1 = commitOf('v1-a^{commit}');
    execFileSync('git', ['tag', '-d', 'v1-a'], { cwd: dir });
    const restored = await bench(['--repo', dir, '--db', db, '--restore-tags']);
    expect(restored.code).toBe(0);
    expect(restored.stderr).toContain('created v1-a at the commits recorded in data/chapters.json');
    expect(restored.stderr).toContain('already present: v2-b');
    expect(commitOf('v1-a^{commit}')).toBe(v1);
    expect(existsSync(db)).toBe(false);
  }, SESSIONS_TIMEOUT);
});
