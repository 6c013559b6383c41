/** What one gate run measured and decided: the input of the report, the output of the run. */
import type { MachineInfo } from '../machine/fingerprint.ts';
import type { CpuPlan } from '../proc/pinning.ts';
import type { Side } from './schedule.ts';
import type { GateCost } from '../cost/gate.ts';
import type { CombinedDecision } from './verdict.ts';
import type { PairedRatio } from '../stats/paired-ratio.ts';
import type { RunFigures } from '../figures/run-row.ts';

export interface GateSettings {
  threshold: number;
  pairs: number;
  durationSeconds: number;
  connections: number;
  warmupSeconds: number;
  scenario: string;
  /** The request path of the scenario (the gate loads one path: the `hot` search). */
  path: string;
  tool: { name: string; version: string; path: string };
  /** Which CPUs the servers and the load generator ran on (bench/proc/pinning.ts); absent in older reports. */
  pinning?: CpuPlan;
  /** The exact signal's settings; null when it was not measured (see GateResult.cost). */
  cost: { requests: number; windows: number; warmupRequests: number } | null;
}

/** Instructions per request of both sides (bench/cost/gate.ts), or why they were not counted. */
export type { GateCost };

export interface GateRevision {
  /** As given on the command line (a branch, tag, or hash). */
  ref: string;
  commit: string;
  subject: string;
}

/** The machine of a gate run: its fingerprint (as in bench runs) and how busy it was. */
export interface GateMachine extends Omit<MachineInfo, 'details_json'> {
  /** os.loadavg() (1, 5, 15 min) when the gate started and when it finished: how busy the machine was. */
  loadAverage: { start: number[]; end: number[] };
}

export interface PairMeasurement {
  /** 1-based. */
  pair: number;
  order: [Side, Side];
  base: RunFigures;
  head: RunFigures;
}

export interface GateResult {
  base: GateRevision;
  head: GateRevision;
  settings: GateSettings;
  machine: GateMachine;
  startedAt: string;
  finishedAt: string;
  pairs: PairMeasurement[];
  /** head/base requests per second, paired by moment (verdict.ts): below 1 means head is slower. */
  throughput: PairedRatio;
  /** head/base p99 latency: above 1 means head is slower; null when a run had no p99. */
  p99: PairedRatio | null;
  cost: GateCost;
  decision: CombinedDecision;
}
