/**
 * A whole session against fake effects (effects.ts): no worktree, no server, no load
 * generator — a fixed clock, a made-up machine, servers that are only URLs and a load
 * generator that answers 500 req/s for a chapter and 1000 for the reference. The
 * database is real (a temporary file): what the session writes is what is checked.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../../db/database.ts';
import { failedResult, type LoadGenerator, type LoadRequest, type LoadResult } from '../loadgen/index.ts';
import type { MachineInfo } from '../machine/fingerprint.ts';
import { parseOptions } from '../options.ts';
import type { ChapterContract } from '../subject/contract.ts';
import type { LaunchedSubject, PreparedTree } from '../subject/subject.ts';
import { sink } from '../testing/sink.ts';
import { createTinyRepo } from '../testing/tiny-repo.ts';
import type { SessionEffects } from './effects.ts';
import { runBench } from './session.ts';

const repos: string[] = [];
afterAll(() => {
  for (const dir of repos) rmSync(dir, { recursive: true, force: true });
});

const NOW = new Date('2026-01-02T03:04:05.000Z');
const REFERENCE_URL = 'http://127.0.0.1:2000';
const MACHINE: MachineInfo = { fingerprint: 'fake-machine', cpu_model: 'fake CPU', cores: 2, memory_bytes: 1 << 30, kernel: 'fake', os: 'fake', node_version: process.version, details_json: '{}' };

function fakeEffects(): { effects: Partial<SessionEffects>; requests: LoadRequest[]; prepared: string[]; runningAtLoad: string[][]; running: Set<string> } {
  const requests: LoadRequest[] = [];
  const prepared: string[] = [];
  const urls = new Map<string, string>();
  // Which servers are continued (not paused) at each load run: a fake server's pause and resume only say so.
  const running = new Set<string>();
  const runningAtLoad: string[][] = [];
  const pausable = (url: string) => {
    running.add(url);
    return { pause: () => void running.delete(url), resume: () => void running.add(url) };
  };
  const generator: LoadGenerator = {
    name: 'wrk',
    installHint: 'none: a fake',
    detect: async () => ({ name: 'wrk', version: 'fake', path: '/fake/wrk' }),
    run: async (request): Promise<LoadResult> => {
      requests.push(request);
      runningAtLoad.push([...running].sort());
      const rps = request.url === REFERENCE_URL ? 1000 : 500;
      return { ...failedResult(''), ok: true, failure: undefined, requestsPerSecond: rps, totalRequests: rps * request.durationSeconds, successfulRequests: rps * request.durationSeconds, latencyUs: { avg: 900, p50: 800, p90: 1200, p99: 2000, max: 5000 }, cpuSeconds: 0.1, wallSeconds: request.durationSeconds };
    },
  };
  const effects: Partial<SessionEffects> = {
    now: () => NOW,
    machine: () => MACHINE,
    loadGenerator: async () => ({ generator, tool: { name: 'wrk', version: 'fake', path: '/fake/wrk' } }),
    prepareTree: async (_repo, commit): Promise<PreparedTree> => {
      prepared.push(commit);
      urls.set(commit, `http://127.0.0.1:${1000 + urls.size + 1}`);
      const contract = { ready: { path: '', status: 200 } } as unknown as ChapterContract;
      return { commit, path: `/fake/worktree/${commit}`, contract, worktreeSeconds: 0, installSeconds: 0, buildSeconds: 0, installCacheHit: true };
    },
    launch: async (tree) => ({ url: urls.get(tree.commit)!, metricsUrl: null, pid: process.pid, startSeconds: 0, stop: async () => {}, ...pausable(urls.get(tree.commit)!) }) as unknown as LaunchedSubject,
    startYardsticks: async () => ({ yardsticks: [{ subject: 'reference', url: REFERENCE_URL, pid: process.pid }], settings: { reference: { fake: true } } }),
    // The fake yardstick's pid is this test's own: never really stopped.
    pausable: () => pausable(REFERENCE_URL),
  };
  return { effects, requests, prepared, runningAtLoad, running };
}

describe('a session against fake effects', () => {
  it('measures through the effects alone: its clock, machine, servers and load generator, into a real database', async () => {
    const { dir, commits } = createTinyRepo([{ tag: 'v1-a' }, { tag: 'v2-b' }]);
    repos.push(dir);
    const options = parseOptions(['--repo', dir, '--db', join(dir, 'bench.sqlite'), '--scenario', 'hot', '--runs', '2', '--duration', '1', '--warmup', '0', '--settle', '0', '--no-pin']);
    const { effects, requests, prepared } = fakeEffects();
    const stdout = sink();
    const stderr = sink();

    expect(await runBench(options, { stdout, stderr, ...effects })).toBe(0);
    expect(stderr.text).toBe('');
    expect(prepared).toEqual([commits['v1-a'], commits['v2-b']]);
    expect(new Set(requests.map((r) => r.url))).toEqual(new Set([REFERENCE_URL, 'http://127.0.0.1:1001', 'http://127.0.0.1:1002']));

    const db = await openDatabase(options.dbPath);
    expect(queryRows(db, 'SELECT started_at, machine_fingerprint, tool_version, status FROM sessions')).toEqual([
      { started_at: NOW.toISOString(), machine_fingerprint: 'fake-machine', tool_version: 'fake', status: 'complete' },
    ]);
    const runs = queryRows(db, 'SELECT subject, started_at, requests_per_second, status FROM runs ORDER BY sequence');
    expect(runs).toHaveLength(2 * 3);
    expect(new Set(runs.map((r) => r.started_at))).toEqual(new Set([NOW.toISOString()]));
    expect(runs.map((r) => [r.subject, r.requests_per_second, r.status])).toEqual(expect.arrayContaining([['v1-a', 500, 'ok'], ['v2-b', 500, 'ok'], ['reference', 1000, 'ok']]));
    const summaries = queryRows(db, "SELECT subject, runs, ratio_median, ratio_ci_low, ratio_ci_high FROM summaries WHERE subject <> 'reference' ORDER BY subject");
    expect(summaries.map((s) => [s.subject, s.runs])).toEqual([['v1-a', 2], ['v2-b', 2]]);
    // 500 ÷ 1000 in every slice (up to the log-linear interpolation's rounding).
    for (const s of summaries) for (const figure of [s.ratio_median, s.ratio_ci_low, s.ratio_ci_high]) expect(figure).toBeCloseTo(0.5, 12);
  });

  it('runs a subject only for its own warm-up and slices: at every load run its server alone is continued', async () => {
    const { dir } = createTinyRepo([{ tag: 'v1-a' }, { tag: 'v2-b' }]);
    repos.push(dir);
    const options = parseOptions(['--repo', dir, '--db', join(dir, 'bench.sqlite'), '--scenario', 'hot,mix', '--runs', '2', '--duration', '1', '--warmup', '1', '--settle', '1', '--no-pin']);
    const { effects, requests, runningAtLoad, running } = fakeEffects();

    expect(await runBench(options, { stdout: sink(), stderr: sink(), ...effects })).toBe(0);
    // Warm-ups, settles and measured runs of 3 subjects × 2 scenarios.
    expect(requests).toHaveLength(2 * 3 + 2 * 2 * 3 * 2);
    expect(runningAtLoad).toEqual(requests.map((r) => [r.url]));
    // At the end the cleanup continued the yardstick before its stop (a chapter server's own stop does that: not faked here).
    expect(running).toEqual(new Set([REFERENCE_URL]));
  });
});
