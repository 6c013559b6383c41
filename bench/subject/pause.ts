/**
 * A subject stopped outside its own slices (SIGSTOP, then SIGCONT before its next use): a
 * server idle between its slices may still work, and a stopped one cannot take the CPU
 * another subject is measured on. Edition 40: chapter 14's server kept compressing at brotli
 * q11 in its thread pool between its slices (87% of the pinned server CPU in top) and 277 of
 * 430 mix slices of the other subjects were disturbed (bench/README.md, "Editions").
 *
 * All its processes: the process group a chapter server leads (started detached: npm's
 * children, node:cluster workers), or the process tree of a yardstick (node:http, nginx's
 * master and worker, which live in the bench's own group). Every process stopped and not yet
 * continued is remembered: a stop, an interrupt and the bench's exit continue it first, since
 * a stopped process runs no SIGTERM handler (nor reads the end of its stdin) until continued.
 */
import { processTree } from '../proc/processes.ts';

/** Whose processes a pause stops: a process group (its leader's pid), or a process and its descendants. */
export type ProcessSet = { group: number } | { tree: number };

export interface Pausable {
  /** SIGSTOP to every process of the subject (again: nothing more). */
  pause(): void;
  /** SIGCONT to every process the pause stopped (not paused: nothing). */
  resume(): void;
}

/** The resume of every subject paused and not yet resumed, so an exit can continue them all. */
const paused = new Set<() => void>();
let exitHookAdded = false;

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** Pause and resume for the processes of `set`; a stop of the subject resumes it before its SIGTERM. */
export function pausable(set: ProcessSet): Pausable {
  const root = 'group' in set ? set.group : set.tree;
  if (root === process.pid) throw new Error('pausable: refusing to stop the bench\'s own process');
  let stopped: number[] | null = null;
  const resume = (): void => {
    if (stopped === null) return;
    for (const pid of stopped) signal(pid, 'SIGCONT');
    stopped = null;
    paused.delete(resume);
  };
  return {
    pause: () => {
      // A server that never got a pid has nothing to stop (and kill(-1) would reach every process).
      if (stopped !== null || !(root > 0)) return;
      if (!exitHookAdded) {
        // However the bench ends (its last Ctrl-C calls process.exit), nothing it stopped stays stopped.
        process.once('exit', resumeEveryPaused);
        exitHookAdded = true;
      }
      const done: number[] = [];
      stopped = done;
      paused.add(resume);
      const stop = (pid: number) => {
        signal(pid, 'SIGSTOP');
        done.push(pid);
      };
      if ('group' in set) return stop(-root);
      // The root first, then the tree again: a child forked before its parent stopped is in the second listing.
      for (const pid of processTree(root)) stop(pid);
      for (const pid of processTree(root)) if (!done.includes(pid)) stop(pid);
    },
    resume,
  };
}

/** SIGCONT to everything paused (synchronous: a second Ctrl-C and the process's exit call it). */
export function resumeEveryPaused(): void {
  for (const resume of [...paused]) resume();
}

/** Runs `work` with the subject continued, and stops it again after, however `work` ends. */
export async function whileRunning<T>(subject: Pausable, work: () => Promise<T>): Promise<T> {
  subject.resume();
  try {
    return await work();
  } finally {
    subject.pause();
  }
}
