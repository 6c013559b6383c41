/**
 * Pinned cores: the servers under test (chapter and reference) on one CPU set, the
 * load generator on another, disjoint one, so neither steals the other's core. Done
 * with taskset (util-linux) as a command prefix: `taskset -c 0 node server.js` execs the
 * server with that affinity, and everything it forks (a cluster's workers, npm's child)
 * inherits it. Where pinning is impossible (not Linux, one CPU, taskset missing or
 * failing) the plan says why and nothing is wrapped: the run goes on unpinned.
 */
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CpuPlan {
  /** taskset CPU lists ("0", "1", "0-3"), or null when not pinned. */
  serverCpus: string | null;
  loadgenCpus: string | null;
  /** Why there is no pinning (or how it was done). */
  note: string;
}

/** Parses a taskset/Linux CPU list ("0-2,5") into CPU ids. */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.trim().split(',').filter(Boolean)) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!match) throw new Error(`not a CPU list: "${list}"`);
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    for (let cpu = from; cpu <= to; cpu++) cpus.push(cpu);
  }
  return cpus;
}

/** Splits the CPUs this process may use in two disjoint halves: the servers get the first (the larger when odd). */
export function splitCpus(cpus: number[]): { server: number[]; loadgen: number[] } | null {
  if (cpus.length < 2) return null;
  const half = Math.ceil(cpus.length / 2);
  return { server: cpus.slice(0, half), loadgen: cpus.slice(half) };
}

const notPinned = (note: string): CpuPlan => ({ serverCpus: null, loadgenCpus: null, note });

/** Decides the CPU sets, checking that taskset works here; never throws. */
export async function planPinning(enabled: boolean, platform: NodeJS.Platform = process.platform): Promise<CpuPlan> {
  if (!enabled) return notPinned('not pinned: --no-pin');
  if (platform !== 'linux') return notPinned(`not pinned: pinning needs Linux (this is ${platform})`);
  let allowed: number[];
  try {
    const { stdout } = await run('taskset', ['-c', '-p', String(process.pid)], { timeout: 10_000 });
    const match = /list:\s*([\d,\-\s]+)$/m.exec(stdout);
    if (!match) throw new Error(`unexpected output: ${stdout.trim()}`);
    allowed = parseCpuList(match[1]);
    const split = splitCpus(allowed);
    if (!split) return notPinned(`not pinned: only CPU ${allowed.join(',')} is available`);
    const plan = { serverCpus: split.server.join(','), loadgenCpus: split.loadgen.join(','), note: '' };
    // The wrapper itself must work, or every server would fail to start.
    await run('taskset', ['-c', plan.serverCpus, process.execPath, '-e', '0'], { timeout: 10_000 });
    return { ...plan, note: `pinned with taskset: servers on CPU ${plan.serverCpus}, load generator on CPU ${plan.loadgenCpus}` };
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    const why = e.code === 'ENOENT' ? 'taskset is not installed (apt-get install util-linux)' : `taskset failed: ${(e.stderr || e.message).trim().split('\n')[0]}`;
    return notPinned(`not pinned: ${why}`);
  }
}

/** The command prefix that runs a process on `cpus` (none when not pinned). */
export function pinPrefix(cpus: string | null): string[] {
  return cpus === null ? [] : ['taskset', '-c', cpus];
}

/** How many CPUs a list names (for "how many cores can the load generator use"). */
export function cpuCount(cpus: string | null | undefined): number | null {
  return cpus ? parseCpuList(cpus).length : null;
}

/** How many CPUs a process pinned to `cpus` may use: the list's, or the machine's when not pinned. */
export function usableCpus(cpus: string | null | undefined): number {
  return cpuCount(cpus) ?? availableParallelism();
}

/** The CPU list this process may run on now (taskset -c -p). */
async function ownCpus(): Promise<string> {
  const { stdout } = await run('taskset', ['-c', '-p', String(process.pid)], { timeout: 10_000 });
  const match = /list:\s*([\d,\-]+)\s*$/m.exec(stdout);
  if (!match) throw new Error(`unexpected taskset output: ${stdout.trim()}`);
  return match[1];
}

/**
 * Runs `work` with THIS process (every thread: the event loop, libuv's pool, V8's helpers) on
 * `cpus`, then puts its affinity back — for a load generator that runs in the bench's own
 * process (the open-loop driver). Null cpus: not pinned, `work` runs as it is. Says how it ran.
 */
export async function whilePinned<T>(cpus: string | null, work: () => Promise<T>): Promise<{ value: T; note: string }> {
  if (cpus === null) return { value: await work(), note: 'the bench process (the generator) not pinned' };
  let before: string;
  try {
    before = await ownCpus();
    await run('taskset', ['-a', '-c', '-p', cpus, String(process.pid)], { timeout: 10_000 });
  } catch (error) {
    return { value: await work(), note: `the bench process (the generator) not pinned: ${(error as Error).message.split('\n')[0]}` };
  }
  try {
    return { value: await work(), note: `the bench process (the generator) pinned to CPU ${cpus}` };
  } finally {
    await run('taskset', ['-a', '-c', '-p', before, String(process.pid)], { timeout: 10_000 });
  }
}
