/**
 * A scenario is a module the runner knows nothing about: a fake one, plugged in, gets
 * its rounds, its summary and its settings key — against real servers of a temporary
 * repository, with real (1-second) load.
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
import { sink } from '../testing/sink.ts';

const repos: string[] = [];
afterAll(() => {
  for (const dir of repos) rmSync(dir, { recursive: true, force: true });
});

describe('the runner with a plugged-in scenario module', () => {
  it('runs its rounds over the chapters, stores its summary under its settings key, with no reference when it does not compare', async () => {
    const { dir } = createTinyRepo([{ tag: 'v1-a' }, { tag: 'v2-b' }]);
    repos.push(dir);
    const calls: string[] = [];
    const fake: ScenarioModule = {
      name: 'twice',
      description: 'two short runs per round, at 1 then 2 connections',
      comparesToReference: false,
      settingsKeyParts: () => ['fake-part'],
      settings: () => ({ description: 'two short runs per round' }),
      warmup: () => null,
      runRound: async (context, round) => {
        calls.push(`${context.label}:${round}`);
        const first = await context.measure({ paths: ['/search?a=1'], keepAlive: true, connections: 1, durationSeconds: 1 });
        const second = await context.measure({ paths: ['/search?a=2'], keepAlive: true, connections: 2, durationSeconds: 1 });
        context.flag('fake-flag');
        context.series('stress_test', second.runId).write({ test_type: 'fake', elapsed_seconds: round, observed_rps: second.outcome.requests_per_second });
        return [first.outcome, second.outcome];
      },
      // Its own summary: the second run of each round only.
      summarize: (runs) => summarize(runs.filter((r) => r.connections === 2)),
      failures: (runs) => runs.filter((r) => r.status === 'failed').length,
    };
    const options = { ...parseOptions(['--repo', dir, '--db', join(dir, 'bench.sqlite'), '--runs', '2', '--duration', '10', '--warmup', '0']), scenarios: ['twice'] };
    const stdout = sink();
    const stderr = sink();
    const code = await runBench(options, { stdout, stderr, scenarios: new Map([['twice', fake]]) });
    expect(stderr.text).toBe('');
    expect(code).toBe(0);
    expect(calls).toEqual(['v1-a:0', 'v2-b:0', 'v2-b:1', 'v1-a:1']);
    expect(stdout.text).toMatch(/twice round 1\/2 v1-a @1: /);
    expect(stdout.text).toMatch(/fake-flag/);

    const db = await openDatabase(options.dbPath);
    expect(queryRows(db, 'SELECT subject, run_index, connections FROM runs ORDER BY sequence')).toEqual([
      { subject: 'v1-a', run_index: 0, connections: 1 }, { subject: 'v1-a', run_index: 0, connections: 2 },
      { subject: 'v2-b', run_index: 0, connections: 1 }, { subject: 'v2-b', run_index: 0, connections: 2 },
      { subject: 'v2-b', run_index: 1, connections: 1 }, { subject: 'v2-b', run_index: 1, connections: 2 },
      { subject: 'v1-a', run_index: 1, connections: 1 }, { subject: 'v1-a', run_index: 1, connections: 2 },
    ]);
    const summaries = queryRows(db, 'SELECT subject, scenario, settings_key, runs, ratio_median FROM summaries ORDER BY subject');
    expect(summaries.map((s) => [s.subject, s.scenario, s.runs, s.ratio_median])).toEqual([['v1-a', 'twice', 2, null], ['v2-b', 'twice', 2, null]]);
    expect(String(summaries[0].settings_key)).toMatch(/^twice\|wrk\|fake-part\|d10\|w0\|r2\|/);
    const series = queryRows(db, 'SELECT subject, scenario, test_type, elapsed_seconds, observed_rps, run_id FROM stress_test_seconds ORDER BY subject, elapsed_seconds');
    const runOf = (subject: string, round: number) => queryRows(db, 'SELECT id, requests_per_second FROM runs WHERE subject = ? AND run_index = ? AND connections = 2', [subject, round])[0];
    expect(series).toEqual(
      [['v1-a', 0], ['v1-a', 1], ['v2-b', 0], ['v2-b', 1]].map(([subject, round]) => ({
        subject, scenario: 'twice', test_type: 'fake', elapsed_seconds: round, observed_rps: runOf(subject as string, round as number).requests_per_second, run_id: runOf(subject as string, round as number).id,
      })),
    );
    const settings = JSON.parse(String(queryRows(db, 'SELECT settings_json FROM sessions')[0].settings_json));
    expect(settings.scenarios.twice).toEqual({ settings_key: summaries[0].settings_key, description: 'two short runs per round' });
  });

  it("gives a round the subject's metrics when its chapter has them (chapter 7 on), none otherwise", async () => {
    const { dir } = createTinyRepo([{ tag: 'v6-plain' }, { tag: 'v7-metrics', metrics: true }]);
    repos.push(dir);
    const seen = new Map<string, { during: unknown; after: unknown; available: boolean }>();
    const fake: ScenarioModule = {
      name: 'gauges',
      description: 'one run, the metrics read after it',
      comparesToReference: false,
      settingsKeyParts: () => [],
      settings: () => ({}),
      warmup: () => null,
      runRound: async (context) => {
        const during = context.serverGauges?.();
        const run = await context.measure({ paths: ['/search?a=1'], keepAlive: true, connections: 1, durationSeconds: 1 });
        seen.set(context.label, { during: await during, after: await context.serverGauges?.(), available: context.serverGauges !== undefined });
        return [run.outcome];
      },
      summarize: (runs) => summarize(runs),
      failures: (runs) => runs.filter((r) => r.status === 'failed').length,
    };
    const options = { ...parseOptions(['--repo', dir, '--db', join(dir, 'bench.sqlite'), '--runs', '1', '--warmup', '0']), scenarios: ['gauges'] };
    const stdout = sink();
    const stderr = sink();
    expect(await runBench(options, { stdout, stderr, scenarios: new Map([['gauges', fake]]) })).toBe(0);
    expect(stderr.text).toBe('');
    expect(seen.get('v6-plain')).toEqual({ during: undefined, after: undefined, available: false });
    const v7 = seen.get('v7-metrics')!;
    expect(v7.available).toBe(true);
    const after = v7.after as { at: number; requestsTotal: number; inFlight: number; limit: number | null };
    // The tiny server counts what it served: the readiness checks and the run's requests; it exports no limit.
    expect(after.requestsTotal).toBeGreaterThan((v7.during as { requestsTotal: number }).requestsTotal);
    expect(after).toMatchObject({ inFlight: 0, limit: null });
    expect(after.at).toBeGreaterThanOrEqual(0);
    // The bench also reads the server's own counters around each recorded run.
    expect(stdout.text).toMatch(/v7-metrics: server metrics: \d+ requests answered/);
    expect(stdout.text).not.toMatch(/v6-plain: server metrics/);
  });

  it('records an experiment that needs the kernel as not run, with the reason, where iptables cannot be used — and measures the rest', async () => {
    const { dir } = createTinyRepo([{ tag: 'v8-shed', experiments: [{ name: 'kernel', connlimit: 2 }] }]);
    repos.push(dir);
    const calls: string[][] = [];
    const notRoot = { isRoot: () => false, run: async (file: string, args: string[]) => (calls.push([file, ...args]), { code: 0, stdout: '', stderr: '' }) };
    const labels: string[] = [];
    const fake: ScenarioModule = {
      name: 'once', description: 'one run', comparesToReference: false, settingsKeyParts: () => [], settings: () => ({}), warmup: () => null,
      runRound: async (context) => {
        labels.push(context.label);
        return [(await context.measure({ paths: ['/search?a=1'], keepAlive: true, connections: 1, durationSeconds: 1 })).outcome];
      },
      summarize: (runs) => summarize(runs),
      failures: (runs) => runs.filter((r) => r.status === 'failed').length,
    };
    const options = { ...parseOptions(['--repo', dir, '--db', join(dir, 'bench.sqlite'), '--runs', '1', '--warmup', '0']), scenarios: ['once'] };
    const stdout = sink();
    const stderr = sink();
    expect(await runBench(options, { stdout, stderr, scenarios: new Map([['once', fake]]), iptables: notRoot })).toBe(0);
    expect(stderr.text).toBe('');
    expect(calls).toEqual([]); // not root: iptables is never called
    expect(labels).toEqual(['v8-shed']);
    expect(stdout.text).toMatch(/not run v8-shed\+kernel: the kernel connection limit needs root/);
    expect(stdout.text).toMatch(/v8-shed\+kernel .*NOT RUN: the kernel connection limit needs root/);
    const db = await openDatabase(options.dbPath);
    expect(queryRows(db, 'SELECT subject, experiment, status FROM preparations ORDER BY experiment')).toEqual([
      { subject: 'v8-shed', experiment: '', status: 'ok' },
      { subject: 'v8-shed', experiment: 'kernel', status: 'not_run' },
    ]);
    expect(queryRows(db, 'SELECT subject, experiment, reason FROM subjects_not_run')).toEqual([
      { subject: 'v8-shed', experiment: 'kernel', reason: expect.stringMatching(/needs root \(iptables\)/) },
    ]);
    expect(queryRows(db, 'SELECT DISTINCT experiment FROM runs')).toEqual([{ experiment: '' }]);
    expect(queryRows(db, 'SELECT status FROM sessions')).toEqual([{ status: 'complete' }]);
  });
});
