/**
 * The trials as a session of the benchmark database (kind 'gate-trials', table
 * gate_trial_runs): every gate run saved as it ends, so an interrupted session keeps what it
 * measured and the book can show the trials from a recorded run (Appendix A). Side effects
 * here; the row itself is a pure function of a gate run's outcome.
 */
import type { GateTrialRunRow } from '../../db/schema.ts';
import { acquireLock } from '../lock.ts';
import { machineInfo } from '../machine/fingerprint.ts';
import { harnessState, sessionProvenance } from '../provenance.ts';
import { BenchStore } from '../store.ts';

/** What one gate run said, as trials.ts reads it from the gate's stderr. */
export interface GateRunOutcome {
  verdict: string;
  decidedBy: string | null;
  costRatio: number | null;
  ratio: number | null;
  low: number | null;
  high: number | null;
  seconds: number;
}

/** The row of one gate run (pure). */
export function trialRunRow(sessionId: number, caseName: string, trial: number, slowdown: number, outcome: GateRunOutcome): GateTrialRunRow {
  return {
    session_id: sessionId,
    case_name: caseName,
    trial,
    slowdown,
    verdict: outcome.verdict,
    decided_by: outcome.decidedBy,
    instructions_ratio: outcome.costRatio,
    throughput_ratio: outcome.ratio,
    throughput_low: outcome.low,
    throughput_high: outcome.high,
    seconds: outcome.seconds,
  };
}

export interface TrialsRecord {
  sessionId: number;
  /** Saves one gate run at once (atomic write: a crash keeps the runs before it). */
  record(caseName: string, trial: number, slowdown: number, outcome: GateRunOutcome): void;
  /** Ends the session and releases the database. */
  finish(status: 'complete' | 'interrupted' | 'failed'): void;
}

/** Opens a trials session in `dbPath`, holding its lock until finish (no bench writes meanwhile). */
export async function openTrialsRecord(dbPath: string, settings: Record<string, unknown>, log: (line: string) => void): Promise<TrialsRecord> {
  const lock = acquireLock(dbPath, (notice) => log(`trials: ${notice}`));
  try {
    const harness = await harnessState();
    const store = await BenchStore.open(dbPath);
    const machine = machineInfo();
    store.recordMachine(machine);
    const sessionId = store.startSession({
      kind: 'gate-trials',
      ...sessionProvenance(harness, machine),
      finished_at: null,
      tool: 'gate',
      tool_version: harness.commit.slice(0, 12),
      server_cpus: null,
      loadgen_cpus: null,
      pinning_note: 'each gate run pins its servers and its load generator apart (bench/gate/run.ts)',
      settings,
    });
    store.save();
    log(`trials: recording session ${sessionId} in ${dbPath}`);
    return {
      sessionId,
      record: (caseName, trial, slowdown, outcome) => {
        store.recordGateTrialRun(trialRunRow(sessionId, caseName, trial, slowdown, outcome));
        store.save();
      },
      finish: (status) => {
        store.finishSession(sessionId, status);
        store.save();
        lock.release();
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}
