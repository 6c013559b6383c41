/**
 * Recording a chapter server's CPU profile: the flags, the stop that lets every process
 * write its profile, and reading the profiles back.
 *
 * Why a start-command transformation and not the contract's `env`: Node 20 refuses the
 * flag there (`node: --cpu-prof is not allowed in NODE_OPTIONS`), so the flags go after
 * `node` in the start command. V8 writes the profile when the process exits through
 * `process.exit()` or a natural end; a process killed by a signal's default action
 * writes nothing. The chapter servers handle SIGTERM with a graceful shutdown ending in
 * `process.exit(0)` (server/src/main.ts), so SIGTERM to the server writes it.
 *
 * node:cluster workers inherit the flags (cluster.fork passes process.execArgv) and each
 * writes its own `.cpuprofile`. A worker dies without one if it gets SIGTERM itself with
 * no handler, so a profiled server is stopped by SIGTERM to its leader only; the workers
 * then leave when the primary's exit disconnects them (they call process.exit), and only
 * after the whole process group is gone may stragglers be killed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseCpuProfile, type CpuProfile } from './cpuprofile.ts';

// Starting and stopping a profiled server is the subject's (bench/subject/cpu-profile.ts).
export { cpuProfileFlags, isNodeCommand, stateAndGroup, stopProfiledServer, withCpuProfile } from '../subject/cpu-profile.ts';
import type { ProcessProfile } from './reduce.ts';

/**
 * Now on the clock of V8's profile timestamps (CLOCK_MONOTONIC, shared by every process
 * of the machine), in microseconds: read it when the load starts and ends, and reduce
 * that window only, so the server's start and first ingest stay out of the table.
 */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** A recorded profile and the process that wrote it. */
export interface CollectedProfile extends ProcessProfile {
  file: string;
  pid: number | null;
}

/** The pid in Node's profile name `CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`, or null. */
export function pidOfProfileName(name: string): number | null {
  const match = /^CPU\.\d+\.\d+\.(\d+)\.\d+\.\d+\.cpuprofile$/.exec(name);
  return match ? Number(match[1]) : null;
}

/**
 * Reads profiles of one server, labelled by start order: the first process to start is
 * 'main', the others 'worker-1', 'worker-2'… (V8's clock is the system's monotonic
 * clock, so start times compare across processes).
 */
export function readProfiles(files: string[]): CollectedProfile[] {
  const read = files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    const profile: CpuProfile = parseCpuProfile(text, file);
    return { file, pid: pidOfProfileName(basename(file)), profile };
  });
  read.sort((a, b) => a.profile.startTime - b.profile.startTime || a.file.localeCompare(b.file));
  return read.map((r, i) => ({ ...r, process: i === 0 ? 'main' : `worker-${i}` }));
}

/** The `.cpuprofile` files in `dir`, sorted by name. */
export function profileFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort()
    .map((name) => join(dir, name));
}

/** Every profile a server wrote into `dir`; an error naming the likely cause when there is none. */
export function collectProfiles(dir: string): CollectedProfile[] {
  const files = profileFiles(dir);
  if (files.length === 0) {
    throw new Error(`no .cpuprofile in ${dir}: the server must exit through process.exit() or a normal end (a process killed by a signal writes none)`);
  }
  return readProfiles(files);
}
