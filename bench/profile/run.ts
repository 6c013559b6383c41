/**
 * One profiled run of a server, as the bench's `--profile` does it after the measured
 * rounds: started under `node --cpu-prof` into a fresh directory, warmed up, the load
 * timed on the monotonic clock V8 stamps its samples with, stopped so that every process
 * (node:cluster workers too) writes its profile, and reduced to the window of the load
 * alone — the server's start and first ingest stay out of the table.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectProfiles, monotonicMicros } from './capture.ts';
import { sourceMapLocator } from './locate.ts';
import { reduceProfiles, type ProfileRow } from './reduce.ts';
import { threadDelta, type ThreadSplit } from '../proc/cpu.ts';

/** How many functions a stored table keeps (the rest summed into one row). */
export const PROFILE_TOP = 15;

export interface ProfiledRunSteps {
  /** The chapter's tree: frames are named relative to it, its bundle's source map read. */
  treeDir: string;
  /** Starts the server with its profile written into `profileDir`; its `stop` must let it exit by itself (stopProfiledServer). */
  start(profileDir: string): Promise<{ stop(): Promise<void> }>;
  /** Unprofiled-window load before the window (may do nothing). */
  warmUp(): Promise<void>;
  /** The load whose CPU time the table shows. */
  load(): Promise<void>;
  /** The server's CPU time so far by thread (bench/proc/cpu.ts), read around the load; absent: not read. */
  threads?(): ThreadSplit;
  top?: number;
}

/** What the profiled server's threads did over the load: the CPU a V8 profile does not sample (its pool's, V8's helpers'). */
export interface ProfileThreads {
  windowSeconds: number;
  loopCpuSeconds: number;
  otherCpuSeconds: number;
}

export interface ProfiledRun {
  rows: ProfileRow[];
  /** Null when the threads were not read. */
  threads: ProfileThreads | null;
}

/** The threads' CPU between two splits over a window (pure). */
export function profileThreads(before: ThreadSplit, after: ThreadSplit, windowSeconds: number): ProfileThreads {
  const { loopNs, otherNs } = threadDelta(before, after);
  return { windowSeconds, loopCpuSeconds: loopNs / 1e9, otherCpuSeconds: otherNs / 1e9 };
}

export async function profiledRun(steps: ProfiledRunSteps): Promise<ProfiledRun> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-profile-'));
  try {
    const server = await steps.start(dir);
    let stopped = false;
    try {
      await steps.warmUp();
      const before = steps.threads?.();
      const fromUs = monotonicMicros();
      await steps.load();
      const toUs = monotonicMicros();
      const after = steps.threads?.();
      stopped = true;
      await server.stop();
      const rows = reduceProfiles(collectProfiles(dir), sourceMapLocator(steps.treeDir), steps.top ?? PROFILE_TOP, { fromUs, toUs });
      return { rows, threads: before && after ? profileThreads(before, after, (toUs - fromUs) / 1e6) : null };
    } finally {
      if (!stopped) await server.stop().catch(() => {});
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
