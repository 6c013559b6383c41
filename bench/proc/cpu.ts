// CPU time of a process, read from /proc/<pid>/stat (Linux).
// Used to measure a load generator's own CPU so a run can tell whether the tool, not the
// server, was the bottleneck.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { processTree, statFields } from './processes.ts';

export { processTree } from './processes.ts';

let cachedTicksPerSecond: number | null = null;

/**
 * Clock ticks per second (USER_HZ), the unit of utime/stime in /proc/<pid>/stat.
 * Asked once from `getconf CLK_TCK`; 100 is the Linux USER_HZ on every mainstream
 * architecture, used only when getconf itself is missing or answers nonsense.
 */
export function clockTicksPerSecond(): number {
  if (cachedTicksPerSecond === null) {
    cachedTicksPerSecond = 100;
    try {
      const answer = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      if (Number.isInteger(answer) && answer > 0) cachedTicksPerSecond = answer;
    } catch {
      // getconf missing: keep the Linux default (documented above).
    }
  }
  return cachedTicksPerSecond;
}

/**
 * Parses the text of /proc/<pid>/stat into CPU seconds: utime + stime + cutime + cstime.
 * The command name (field 2) is in parentheses and may itself contain spaces or ')', so
 * fields are counted from the LAST ')'.
 */
export function parseProcStat(text: string, ticksPerSecond: number): number {
  // Field 3 (state) is index 0, so field N is index N - 3.
  const fields = statFields(text);
  const field = (n: number): number => {
    const value = Number(fields[n - 3]);
    if (!Number.isFinite(value)) throw new Error(`/proc/<pid>/stat field ${n} is not a number`);
    return value;
  };
  const ticks = field(14) + field(15) + field(16) + field(17); // utime stime cutime cstime
  return ticks / ticksPerSecond;
}

/** CPU ticks of the children a process has waited for (cutime + cstime, fields 16 and 17), or null when unreadable. */
export function parseEndedChildrenTicks(text: string): number | null {
  const fields = statFields(text);
  const ticks = Number(fields[16 - 3]) + Number(fields[17 - 3]);
  return Number.isFinite(ticks) ? ticks : null;
}

/** This process's waited-for children's CPU ticks (/proc/self/stat), or null. */
export function readEndedChildrenTicks(): number | null {
  try {
    return parseEndedChildrenTicks(readFileSync('/proc/self/stat', 'utf8'));
  } catch {
    return null;
  }
}

/** utime+stime (+ reaped children's cutime/cstime) of a process in seconds; null when it no longer exists. */
export function readCpuSeconds(pid: number): number | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null; // the process is gone (its /proc entry vanishes once reaped)
  }
  return parseProcStat(text, clockTicksPerSecond());
}

/**
 * CPU seconds of a process and its live descendants: a server that forks workers is
 * measured whole. A descendant that exits between two readings takes its CPU with it
 * (its parent's cutime counts it only once reaped), so readings are taken often.
 */
export function readTreeCpuSeconds(pid: number): number | null {
  return treeCpuReader(pid)();
}

/**
 * A reader of the CPU seconds of `pid` and the descendants it has now: the tree is listed
 * once (a scan of /proc), each reading then touches only those processes — cheap enough to
 * poll during a load run. A descendant forked after the listing is not counted.
 */
export function treeCpuReader(pid: number): () => number | null {
  const children = processTree(pid).slice(1);
  return () => {
    const own = readCpuSeconds(pid);
    return own === null ? null : children.reduce((sum, child) => sum + (readCpuSeconds(child) ?? 0), own);
  };
}

/**
 * Polls a process's CPU seconds every `intervalMs` and remembers the last value seen,
 * because the /proc entry vanishes when the process exits. stop() takes one more reading
 * (the process may still be alive) and returns the last value, or null if none was ever read.
 * CPU spent after the last successful reading is not seen: callers that can keep the process
 * alive until they have read it (see the wrk and autocannon runners) get an exact figure.
 */
export function startCpuMonitor(pid: number, intervalMs = 100, read: (pid: number) => number | null = readCpuSeconds): { stop(): number | null } {
  let last: number | null = null;
  const poll = (): void => {
    const value = read(pid);
    if (value !== null) last = value;
  };
  poll();
  const timer = setInterval(poll, intervalMs);
  timer.unref();
  return {
    stop(): number | null {
      clearInterval(timer);
      poll();
      return last;
    },
  };
}

/** What a thread was doing at one reading: CPU time so far, and whether it was runnable (state R) at that moment. */
export interface ThreadActivity {
  /** Nanoseconds on a CPU: /proc/<pid>/task/<tid>/schedstat's first field, else utime + stime in clock ticks scaled to ns. */
  cpuNs: number;
  runnable: boolean;
}

/**
 * Every thread of `pids`, keyed `<pid>/<tid>`; a process or thread gone meanwhile is left out.
 * CPU time comes from schedstat in nanoseconds where the kernel keeps it: the clock ticks of
 * /proc/<pid>/task/<tid>/stat are rounded down to 10 ms, so a thread-pool thread sharing a
 * loaded machine's core with others (under callgrind, each of four threads got a few percent)
 * showed no tick in three readings 100 ms apart while it was mid-job (bench/cost/rest.ts).
 */
export function threadActivity(pids: readonly number[]): Map<string, ThreadActivity> {
  const threads = new Map<string, ThreadActivity>();
  const nsPerTick = 1e9 / clockTicksPerSecond();
  for (const pid of pids) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // exited
    }
    for (const tid of tids) {
      try {
        const fields = statFields(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
        const ticks = Number(fields[14 - 3]) + Number(fields[15 - 3]); // utime, stime (field N is index N - 3, as in parseProcStat)
        threads.set(`${pid}/${tid}`, { cpuNs: schedstatRunNs(pid, tid) ?? ticks * nsPerTick, runnable: fields[0] === 'R' });
      } catch {
        // exited between the listing and the read
      }
    }
  }
  return threads;
}

/** The first field of /proc/<pid>/task/<tid>/schedstat (ns on a CPU), or null where the kernel keeps no schedstat. */
function schedstatRunNs(pid: number, tid: string): number | null {
  try {
    const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    return Number.isFinite(ns) ? ns : null;
  } catch {
    return null;
  }
}

/** CPU time of a server's event-loop threads against all its other threads (thread pool, GC helpers, workers). */
export interface ThreadSplit {
  /** Nanoseconds on a CPU of each process's main thread (tid = pid): where Node.js runs its event loop. */
  loopNs: number;
  /** Nanoseconds of every other thread: libuv's pool (zlib, fs), V8's helpers, worker_threads. */
  otherNs: number;
}

/**
 * Splits threadActivity's readings (keyed `<pid>/<tid>`) into loop and other threads. Why:
 * a server pinned to one CPU shares it among all its threads, and a busy thread pool takes
 * the event loop's time without appearing in a --cpu-prof profile, which samples the loop
 * thread alone (chapter 14's fairness steps: brotli in four pool threads).
 */
export function splitThreads(threads: ReadonlyMap<string, ThreadActivity>): ThreadSplit {
  let loopNs = 0;
  let otherNs = 0;
  for (const [key, activity] of threads) {
    const [pid, tid] = key.split('/');
    if (pid === tid) loopNs += activity.cpuNs;
    else otherNs += activity.cpuNs;
  }
  return { loopNs, otherNs };
}

/** A server's CPU so far by thread kind, over every process of its tree (one reading: a /proc scan and each thread's schedstat). */
export function serverThreadSplit(pid: number): ThreadSplit {
  return splitThreads(threadActivity(processTree(pid)));
}

/** The CPU each kind of thread used between two splits, never below zero (a thread that exited takes its time with it). */
export function threadDelta(before: ThreadSplit, after: ThreadSplit): ThreadSplit {
  return { loopNs: Math.max(0, after.loopNs - before.loopNs), otherNs: Math.max(0, after.otherNs - before.otherNs) };
}

/** The event-loop threads' share of the CPU a server used between two splits; null when it used none. */
export function loopThreadShare(before: ThreadSplit, after: ThreadSplit): number | null {
  const { loopNs, otherNs } = threadDelta(before, after);
  return loopNs + otherNs > 0 ? loopNs / (loopNs + otherNs) : null;
}
