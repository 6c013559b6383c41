/**
 * The trials recorded as a session: rows saved as each gate run ends, on a real database file,
 * and the view the book reads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows } from '../../db/database.ts';
import { machineInfo } from '../machine/fingerprint.ts';
import { BenchStore } from '../store.ts';
import { openTrialsRecord, trialRunRow, type GateRunOutcome } from './trials-record.ts';

const dir = mkdtempSync(join(tmpdir(), 'trials-record-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const outcome = (over: Partial<GateRunOutcome>): GateRunOutcome => ({ verdict: 'pass', decidedBy: 'instructions', costRatio: 1.0002, ratio: 1.01, low: 0.95, high: 1.08, seconds: 100, ...over });

describe('trialRunRow', () => {
  it('keeps what the gate said, nothing counted where nothing was', () => {
    expect(trialRunRow(3, 'identical trees', 2, 0, outcome({ verdict: 'error', decidedBy: null, costRatio: null, ratio: null, low: null, high: null }))).toEqual({
      session_id: 3, case_name: 'identical trees', trial: 2, slowdown: 0, verdict: 'error', decided_by: null,
      instructions_ratio: null, throughput_ratio: null, throughput_low: null, throughput_high: null, seconds: 100,
    });
  });
});

describe('openTrialsRecord', () => {
  it('saves every run as it ends, and the view counts the verdicts of a complete session per case', async () => {
    const db = join(dir, 'bench.sqlite');
    // A bench session on this machine makes it the comparison machine the view reads.
    const bench = await BenchStore.open(db);
    bench.recordMachine(machineInfo());
    const benchSession = bench.startSession({ started_at: '2026-01-01T00:00:00Z', harness_commit: 'c', harness_dirty: false, machine_fingerprint: machineInfo().fingerprint, tool: 'wrk', tool_version: '4', server_cpus: '0', loadgen_cpus: '1', pinning_note: 'pinned', settings: {} });
    bench.finishSession(benchSession, 'complete');
    bench.save();

    const record = await openTrialsRecord(db, { server_commit: 'abc123', cases: [] }, () => {});
    record.record('identical trees', 1, 0, outcome({}));
    // Saved at once: another reader sees the run before the session ends.
    expect(queryRows(await openDatabase(db), 'SELECT COUNT(*) AS n FROM gate_trial_runs')).toEqual([{ n: 1 }]);
    record.record('head −10% throughput', 1, 0.1, outcome({ verdict: 'fail', costRatio: 1.4, ratio: 0.85, low: 0.8, high: 0.9, seconds: 110 }));
    record.record('identical trees', 2, 0, outcome({ verdict: 'inconclusive', decidedBy: 'throughput', costRatio: 1.001, ratio: 0.87, low: 0.84, high: 1.0 }));
    // Not yet complete: the view shows complete sessions only.
    expect(queryRows(await openDatabase(db), 'SELECT COUNT(*) AS n FROM gate_trials')).toEqual([{ n: 0 }]);
    record.finish('complete');

    const rows = queryRows(await openDatabase(db), 'SELECT target, case_name, slowdown, runs, fails, passes, inconclusive, errors, decided_by_instructions, instructions_ratio_low, instructions_ratio_high, slowest_seconds FROM gate_trials');
    expect(rows).toEqual([
      { target: 'abc123', case_name: 'identical trees', slowdown: 0, runs: 2, fails: 0, passes: 1, inconclusive: 1, errors: 0, decided_by_instructions: 1, instructions_ratio_low: 1.0002, instructions_ratio_high: 1.001, slowest_seconds: 100 },
      { target: 'abc123', case_name: 'head −10% throughput', slowdown: 0.1, runs: 1, fails: 1, passes: 0, inconclusive: 0, errors: 0, decided_by_instructions: 1, instructions_ratio_low: 1.4, instructions_ratio_high: 1.4, slowest_seconds: 110 },
    ]);
    const [session] = queryRows(await openDatabase(db), "SELECT kind, status, tool FROM sessions WHERE kind = 'gate-trials'");
    expect(session).toEqual({ kind: 'gate-trials', status: 'complete', tool: 'gate' });
    // The lock is released: the next writer gets the database.
    const next = await openTrialsRecord(db, {}, () => {});
    next.finish('interrupted');
  });
});
