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
  top?: number;
}

export async function profiledRun(steps: ProfiledRunSteps): Promise<ProfileRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-profile-'));
  try {
    const server = await steps.start(dir);
    let stopped = false;
    try {
      await steps.warmUp();
      const fromUs = monotonicMicros();
      await steps.load();
      const toUs = monotonicMicros();
      stopped = true;
      await server.stop();
      return reduceProfiles(collectProfiles(dir), sourceMapLocator(steps.treeDir), steps.top ?? PROFILE_TOP, { fromUs, toUs });
    } finally {
      if (!stopped) await server.stop().catch(() => {});
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
