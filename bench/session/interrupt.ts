/**
 * Ctrl-C during a bench: the first SIGINT/SIGTERM stops gracefully (every guarded step
 * rejects with Interrupted, what was measured is kept), a second one exits at once.
 *
 * One Ctrl-C can arrive twice: under `npm run bench` the terminal signals the whole
 * foreground group (npm and the bench) and npm forwards its own copy to the bench. A repeat
 * within REPEAT_WINDOW_MS of the first is that same Ctrl-C, not a second one.
 */
import { listProcesses } from '../proc/processes.ts';
import { runningServers, stopRunningCommands } from '../subject/contract.ts';
import { removeLiveRulesNow } from '../subject/connlimit.ts';
import { resumeEveryPaused } from '../subject/pause.ts';
import type { Lock } from '../lock.ts';
import type { Progress } from './progress.ts';
import type { Guard } from '../subject/subject.ts';

export class Interrupted extends Error {}

/** A repeat signal sooner than this after the first is the same Ctrl-C delivered twice. */
export const REPEAT_WINDOW_MS = 1000;

export interface SignalWatch {
  interrupted(): boolean;
  /** Races a step against an interrupt, so a Ctrl-C never waits for a 10 s load run. */
  guard: Guard;
  dispose(): void;
}

export function watchSignals(io: { stderr: NodeJS.WritableStream }, progress: Progress, lock: Lock, now: () => number = () => performance.now()): SignalWatch {
  let interrupted = false;
  let firstSignalAt = 0;
  let resolveInterrupt: () => void = () => {};
  const interruptedPromise = new Promise<void>((r) => (resolveInterrupt = r));
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted && now() - firstSignalAt < REPEAT_WINDOW_MS) return;
    if (interrupted) {
      // A second Ctrl-C: do not wait for a graceful cleanup. The database on disk is the last atomic save.
      io.stderr.write(`bench: ${signal} again: killing servers and exiting now\n`);
      stopRunningCommands();
      // Continued first: what the exit leaves (a yardstick reading the end of its stdin) must run to end.
      resumeEveryPaused();
      for (const server of runningServers()) {
        try {
          process.kill(-server.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      removeLiveRulesNow();
      lock.release();
      process.exit(130);
    }
    interrupted = true;
    firstSignalAt = now();
    progress.clearStatus();
    io.stderr.write(`\nbench: ${signal}: stopping servers, removing worktrees, keeping what was measured…\n`);
    stopRunningCommands();
    resolveInterrupt();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const guard: Guard = async (promise) => {
    if (interrupted) throw new Interrupted();
    const result = await Promise.race([promise, interruptedPromise.then(() => Promise.reject(new Interrupted()))]);
    if (interrupted) throw new Interrupted();
    return result;
  };
  return {
    interrupted: () => interrupted,
    guard,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/**
 * A load run cut short by an interrupt may still have its tool running (it would stop by
 * itself at its deadline); stop every child process of ours that is still there (Linux /proc).
 */
export function stopChildProcesses(): void {
  for (const child of listProcesses().filter((p) => p.ppid === process.pid)) {
    try {
      process.kill(child.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
}
