/**
 * Was a slice disturbed? Judged from what the kernel counted while it ran, so a busy
 * neighbour is never published as the server's figure (issue 22, item 7):
 *
 * - steal: time the hypervisor gave the pinned CPUs to someone else (/proc/stat, steal);
 * - others: busy time on the pinned CPUs beyond what the server, the load generator and
 *   the bench itself used (another process ran there). The load generator's is its whole
 *   process: the run row counts it from its ready line to its report, but its start (wrk
 *   reading the mix's 200,000 paths) and its exit fall inside the slice too — 0.17–0.35 s of
 *   a mix slice's 2.5–2.7 s, which put the slowest servers' slices over the limit (all 12 of
 *   edition 80's disturbed slices: a diagnostic run of 2026-12-08, bench/README.md);
 * - starved: the server used well below its share of the slice while the load generator
 *   was not the limit (closed loop keeps a healthy server busy).
 *
 * parseCpuTimes and judge are pure; the watch reads /proc/stat around a run. Where
 * /proc/stat is not readable the watch judges only what the run row says.
 */
import { readFileSync } from 'node:fs';
import { clockTicksPerSecond, readEndedChildrenTicks } from '../proc/cpu.ts';
import { parseCpuList } from '../proc/pinning.ts';
import type { DisturbanceWatch } from '../session/edition-part.ts';

/** Per CPU: busy (user+nice+system+irq+softirq) and steal, in clock ticks. */
export type CpuTimes = Map<number, { busy: number; steal: number }>;

export function parseCpuTimes(procStat: string): CpuTimes {
  const times: CpuTimes = new Map();
  for (const line of procStat.split('\n')) {
    const match = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const [user, nice, system, , , irq, softirq, steal] = match[2].trim().split(/\s+/).map(Number);
    times.set(Number(match[1]), { busy: user + nice + system + (irq ?? 0) + (softirq ?? 0), steal: steal ?? 0 });
  }
  return times;
}

export const DISTURBANCE_LIMITS = {
  /** Steal above this share of the pinned CPUs' time. */
  steal: 0.05,
  /** Others' busy time above this share of the pinned CPUs' time. */
  others: 0.15,
  /** The server below this share of its cores while the generator was not the limit. */
  serverShare: 0.5,
} as const;

export interface SliceFigures {
  /** From the watch's start to its finish: what /proc/stat's deltas cover. */
  wallSeconds: number;
  /** The load run's own length: what the server's CPU time covers; null for load that is no closed-loop run (a capacity probe: nothing keeps its server busy, so no "starved" rule). */
  durationSeconds: number | null;
  /** Pinned CPUs (server's and generator's), or null when not pinned: then only the server's share is judged. */
  cpus: number[] | null;
  before: CpuTimes | null;
  after: CpuTimes | null;
  ticksPerSecond: number;
  serverCpuSeconds: number | null;
  loadgenCpuSeconds: number | null;
  /** CPU of the bench's child processes that ended inside the window (the load generator's whole process, its start and exit included), or null when unread. */
  endedChildrenCpuSeconds?: number | null;
  benchCpuSeconds: number;
  loadgenSaturated: boolean;
  serverCores: number;
}

/** Why the slice was disturbed, or null when it was clean. */
export function judge(f: SliceFigures): string | null {
  const reasons: string[] = [];
  if (f.cpus && f.before && f.after && f.wallSeconds > 0) {
    let busy = 0;
    let steal = 0;
    for (const cpu of f.cpus) {
      const a = f.before.get(cpu);
      const b = f.after.get(cpu);
      if (!a || !b) continue;
      busy += (b.busy - a.busy) / f.ticksPerSecond;
      steal += (b.steal - a.steal) / f.ticksPerSecond;
    }
    const capacity = f.wallSeconds * f.cpus.length;
    if (steal / capacity > DISTURBANCE_LIMITS.steal) reasons.push(`steal ${(100 * steal / capacity).toFixed(1)}% of the pinned CPUs`);
    const loadgen = Math.max(f.loadgenCpuSeconds ?? 0, f.endedChildrenCpuSeconds ?? 0);
    const others = busy - (f.serverCpuSeconds ?? 0) - loadgen - f.benchCpuSeconds;
    if (others / capacity > DISTURBANCE_LIMITS.others) reasons.push(`other processes used ${others.toFixed(2)} s of the pinned CPUs' ${capacity.toFixed(1)} s`);
  }
  if (f.serverCpuSeconds !== null && !f.loadgenSaturated && f.durationSeconds !== null && f.durationSeconds > 0) {
    const share = f.serverCpuSeconds / (f.durationSeconds * f.serverCores);
    if (share < DISTURBANCE_LIMITS.serverShare) reasons.push(`the server used ${(100 * share).toFixed(0)}% of its cores while the load generator was not the limit`);
  }
  return reasons.length === 0 ? null : reasons.join('; ');
}

function readCpuTimes(): CpuTimes | null {
  try {
    return parseCpuTimes(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
}

/** A watch for the runner (EditionPart.watch): the pinned CPU lists as the pinning plan gives them. */
export function disturbanceWatch(serverCpus: string | null, loadgenCpus: string | null, serverCores: number): DisturbanceWatch {
  const cpus = serverCpus !== null && loadgenCpus !== null ? [...parseCpuList(serverCpus), ...parseCpuList(loadgenCpus)] : null;
  const ticksPerSecond = clockTicksPerSecond();
  return {
    start() {
      const before = readCpuTimes();
      const children = readEndedChildrenTicks();
      const bench = process.cpuUsage();
      const started = performance.now();
      return {
        finish(run) {
          const used = process.cpuUsage(bench);
          const childrenAfter = readEndedChildrenTicks();
          return judge({
            wallSeconds: (performance.now() - started) / 1000,
            durationSeconds: run.duration_seconds,
            cpus, before, after: readCpuTimes(), ticksPerSecond,
            serverCpuSeconds: run.server_cpu_seconds, loadgenCpuSeconds: run.loadgen_cpu_seconds,
            endedChildrenCpuSeconds: children !== null && childrenAfter !== null ? (childrenAfter - children) / ticksPerSecond : null,
            benchCpuSeconds: (used.user + used.system) / 1e6,
            loadgenSaturated: run.loadgen_saturated === 1,
            serverCores,
          });
        },
      };
    },
  };
}
