/** The shapes a bench session passes between its steps (bench/session/). */
import type { EditionPart } from './edition-part.ts';
import { type Chapter, type CommitInfo } from '../../db/chapters.ts';
import { type LoadGenerator, type ToolInfo } from '../loadgen/index.ts';
import { type MachineInfo } from '../machine/fingerprint.ts';
import type { BenchOptions } from '../options.ts';
import type { HarnessState } from '../provenance.ts';
import { type CpuPlan } from '../proc/pinning.ts';
import type { SessionEffects } from './effects.ts';
import { Progress } from './progress.ts';
import type { ProfileRow } from '../profile/reduce.ts';
import type { ProfileThreads } from '../profile/run.ts';
import type { ScenarioModule } from '../scenarios/module.ts';
import { BenchStore, type PreparationRow } from '../store.ts';
import { type SignalWatch } from './interrupt.ts';
import { Cleanup } from '../subject/cleanup.ts';
import { type LaunchOptions, type PreparedTree } from '../subject/subject.ts';
import type { Pausable } from '../subject/pause.ts';
import type { Simulator } from '../../simulator/index.ts';

export interface Subject {
  /** tag, or tag+experiment, or 'reference' */
  label: string;
  subject: string;
  experiment: string;
  commit: string | null;
  url: string;
  pid: number;
  /** Its server's processes, stopped outside its own slices (bench/subject/pause.ts; rounds.ts continues them for a slice). */
  processes: Pausable;
  /** How a chapter subject was launched, so --profile or a scenario with its own provider can start another instance of it (none for the reference). */
  source?: { tree: PreparedTree; args: string[]; env: Record<string, string>; connlimit: LaunchOptions['connlimit'] };
  /** The subject's simulator, when a scenario may steer it (ScenarioModule.ownProvider). */
  simulator?: Simulator;
  /** The server's Prometheus metrics (chapter contract "metrics"), when it has them. */
  metricsUrl?: string | null;
}

/** One chapter (or one of its experiments) to measure. */
export interface Unit {
  chapter: Chapter;
  experiment: string;
  args: string[];
  env: Record<string, string>;
  /** The experiment's kernel connection limit, if any. */
  connlimit: number | null;
  label: string;
}

/** Everything decided before the database is touched. */
export interface Request {
  generator: LoadGenerator;
  tool: ToolInfo;
  allChapters: Chapter[];
  units: Unit[];
  commits: Map<string, CommitInfo>;
  harness: HarnessState;
  pinning: CpuPlan;
  modules: ScenarioModule[];
  keys: Map<string, string>;
}

/** A session under way: what every step of it reads and appends to. */
export interface Session {
  /** Prefix of every server's command: the CPU quota group (if any), then the pinning. */
  serverWrap: string[];
  /** How many cores' worth of CPU time a server can use: its quota, else its CPU set, else the machine. */
  serverCores: number;
  options: BenchOptions;
  /** What the session does to the world (effects.ts): clock, machine, tool, database, servers, its lines. */
  io: SessionEffects;
  request: Request;
  store: BenchStore;
  machine: MachineInfo;
  id: number;
  settings: Record<string, unknown>;
  progress: Progress;
  log: (line: string) => void;
  cleanup: Cleanup;
  signals: SignalWatch;
  sequence: number;
  failures: string[];
  lines: SummaryLine[];
  overhead: { label: string; prep: PreparationRow }[];
  /** The --profile tables of this session, for the report. */
  profiles: { label: string; scenario: string; rows: ProfileRow[]; threads: ProfileThreads | null }[];
  edition?: EditionPart;
}

/** One subject × scenario of the session, for the end-of-session table. */
export interface SummaryLine {
  label: string;
  subject: string;
  experiment: string;
  scenario: string;
  flags: string[];
}
