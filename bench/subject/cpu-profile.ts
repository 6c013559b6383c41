/**
 * A chapter server under `node --cpu-prof`: the flags in its start command, and the stop
 * that lets every process write its profile (bench/profile/ reads them back). Here, beside
 * the contract that starts servers, because starting and stopping one is the subject's.
 *
 * Why a start-command transformation and not the contract's `env`: Node 20 refuses the
 * flag there (`node: --cpu-prof is not allowed in NODE_OPTIONS`), so the flags go after
 * `node` in the start command. V8 writes the profile when the process exits through
 * `process.exit()` or a natural end; a process killed by a signal's default action
 * writes nothing. node:cluster workers inherit the flags; a worker dies without a profile
 * if it gets SIGTERM itself with no handler, so a profiled server is stopped by SIGTERM to
 * its leader only, and only after the whole process group is gone may stragglers be killed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The Node flags that write a CPU profile into `dir` at exit. */
export function cpuProfileFlags(dir: string): string[] {
  return ['--cpu-prof', '--cpu-prof-dir', dir];
}

/** True when the command's program is Node itself. */
export function isNodeCommand(program: string): boolean {
  return /^node(\.exe)?$/i.test(basename(program)) || program === process.execPath;
}

/** The start command with the profile flags inserted after `node`; a clear error if it does not start Node directly. */
export function withCpuProfile(command: readonly string[], dir: string): string[] {
  const [program, ...args] = command;
  if (program === undefined || !isNodeCommand(program)) {
    throw new Error(
      `cannot profile \`${command.join(' ')}\`: the start command must run \`node\` directly (Node 20 does not accept --cpu-prof in NODE_OPTIONS, so the flags go after \`node\`)`,
    );
  }
  return [program, ...cpuProfileFlags(dir), ...args];
}

/** State (field 3) and process group (field 5) of a /proc/<pid>/stat line; fields count from the last ')'. */
export function stateAndGroup(statLine: string): { state: string; pgrp: number } {
  const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], pgrp: Number(fields[2]) };
}

/**
 * True while a process of the group `pgid` is alive. Read from /proc because zombies
 * count as alive for kill(0), and an orphaned worker's zombie may never be reaped in a
 * container whose init does not reap.
 */
function groupAlive(pgid: number): boolean {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    try {
      process.kill(-pgid, 0); // No /proc (not Linux): the best available answer.
      return true;
    } catch {
      return false;
    }
  }
  return pids.some((pid) => {
    try {
      const { state, pgrp } = stateAndGroup(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      return pgrp === pgid && state !== 'Z' && state !== 'X';
    } catch {
      return false; // Exited while we looked.
    }
  });
}

/**
 * Stops a profiled server started as the leader of its own process group (spawn with
 * `detached: true`): SIGTERM to the leader only, then waits for the whole group to be
 * gone so every process has written its profile. After `timeoutMs` the group is
 * killed and this rejects: a profile from a server that did not stop is not trusted.
 */
export async function stopProfiledServer(pid: number, timeoutMs = 10_000): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // Already gone: its profile, if any, is written.
  }
  await groupGone(pid, timeoutMs);
  if (groupAlive(pid)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Gone in the meantime.
    }
    throw new Error(`the profiled server (pid ${pid}) or one of its processes did not exit within ${timeoutMs / 1000} s of SIGTERM; killed, its profile is incomplete`);
  }
}

/** Waits until no process of the group `pgid` is alive, or `timeoutMs` has passed. */
export async function groupGone(pgid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(50);
}
