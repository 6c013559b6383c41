/**
 * What a session does to the world, passed in (Observable Framework's `build(config,
 * effects)`): the clock, this machine, the load generator, the database, starting the
 * chapter servers and the yardsticks, and where its lines go. `runBench` reads only
 * these; `systemEffects` are the real ones, and a test swaps any of them for a fake
 * (bench/session/effects.test.ts runs a whole session without a server or a tool).
 */
import { requireTool, type LoadGenerator, type ToolInfo } from '../loadgen/index.ts';
import { machineInfo, type MachineInfo } from '../machine/fingerprint.ts';
import { startYardsticks } from '../reference/yardsticks.ts';
import type { ScenarioModule } from '../scenarios/module.ts';
import { SCENARIO_NAMES, type ScenarioName } from '../scenarios/index.ts';
import { scenarioModule } from '../scenarios/registry.ts';
import { BenchStore } from '../store.ts';
import type { IptablesAccess } from '../subject/connlimit.ts';
import { launchSubject, prepareSubjectTree } from '../subject/subject.ts';
import { pausable } from '../subject/pause.ts';

/** Where a session's lines go: progress and the report to stdout, what went wrong to stderr. */
export interface RunnerIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
}

export interface SessionEffects extends RunnerIO {
  /** The wall clock: the session's and every run's started_at. */
  now(): Date;
  /** This machine (its fingerprint keys what is already measured). */
  machine(): MachineInfo;
  /** The load generator --tool names, installed (its runs are the session's load). */
  loadGenerator(name: string, options: { isDefault: boolean }): Promise<{ generator: LoadGenerator; tool: ToolInfo }>;
  /** The database every row is written to. */
  openStore(dbPath: string): Promise<BenchStore>;
  /** A chapter's worktree, installed and built (bench/subject/subject.ts). */
  prepareTree: typeof prepareSubjectTree;
  /** A chapter server started from a prepared tree, ready. */
  launch: typeof launchSubject;
  /** The yardsticks (node:http, nginx) fed a chapter's answer. */
  startYardsticks: typeof startYardsticks;
  /** Stopping and continuing a yardstick's processes between its slices (a chapter server's come with its launch). */
  pausable: typeof pausable;
  /** The scenarios --scenario may name (a Map serves). */
  scenarios: ScenarioLookup;
  /** How experiments with a kernel connection limit reach iptables (undefined: the system's). */
  iptables?: IptablesAccess;
}

/** Scenario modules by name, and every name there is. */
export interface ScenarioLookup {
  get(name: string): ScenarioModule | undefined;
  keys(): Iterable<string>;
}

/** The registry's scenarios, each built when a session first names it (building all of them takes seconds). */
function registryLookup(): ScenarioLookup {
  const built = new Map<string, ScenarioModule>();
  const known = (name: string): name is ScenarioName => (SCENARIO_NAMES as readonly string[]).includes(name);
  return {
    get: (name) => (known(name) ? built.get(name) ?? built.set(name, scenarioModule(name)).get(name) : undefined),
    keys: () => SCENARIO_NAMES,
  };
}

/** The real effects, writing to `io`. */
export function systemEffects(io: RunnerIO): SessionEffects {
  return {
    stdout: io.stdout,
    stderr: io.stderr,
    now: () => new Date(),
    machine: machineInfo,
    loadGenerator: requireTool,
    openStore: (dbPath) => BenchStore.open(dbPath),
    prepareTree: prepareSubjectTree,
    launch: launchSubject,
    startYardsticks,
    pausable,
    scenarios: registryLookup(),
  };
}

/** The real effects with some swapped (tests: a fake scenario, an iptables that is not the system's). */
export function withEffects(io: RunnerIO & Partial<SessionEffects>): SessionEffects {
  return { ...systemEffects(io), ...io };
}
