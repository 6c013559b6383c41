/**
 * A CPU quota for the servers under test (`--server-cpu-quota 0.2`): a cgroup whose CFS
 * bandwidth lets its processes run `fraction` of one CPU's time, in short periods.
 *
 * Why: the open-loop scenarios must offer up to 3× a server's capacity, and their generator
 * is one Node.js event loop on the load generator's core, slower per request than a fast
 * chapter. A quota makes the server a smaller machine the generator can overload; every
 * figure of the session is then that smaller machine's, which its settings say.
 *
 * The group is a directory of the cgroup filesystem (v2 `cpu.max`, else v1 `cpu/`
 * `cpu.cfs_*`); a server joins it through a command prefix that writes its own pid to the
 * group's procs file and execs the rest, so everything it forks is in the group too.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CpuQuota {
  fraction: number;
  periodMicros: number;
  quotaMicros: number;
  /** The group's directory and how its bandwidth was set. */
  group: string;
  method: string;
  /** Prefix of a server's command: joins the group, then execs the rest. */
  prefix: string[];
  /** Removes the group (its processes must have ended). */
  remove(): void;
}

/** The kernel refuses a CFS quota under 1 ms; periods stay short so a throttled server waits milliseconds, not 100 ms. */
const MIN_QUOTA_MICROS = 1000;
const DEFAULT_PERIOD_MICROS = 4000;

/** Period and quota for a fraction of one CPU (pure). */
export function cpuBandwidth(fraction: number): { periodMicros: number; quotaMicros: number } {
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`a CPU quota is a fraction of one CPU in (0, 1], got ${fraction}`);
  const periodMicros = Math.max(DEFAULT_PERIOD_MICROS, Math.ceil(MIN_QUOTA_MICROS / fraction));
  return { periodMicros, quotaMicros: Math.round(fraction * periodMicros) };
}

export class CpuQuotaError extends Error {}

/** Creates the group under `root` (the cgroup mount); throws CpuQuotaError saying why it cannot. */
export function createCpuQuota(fraction: number, name: string, root = '/sys/fs/cgroup'): CpuQuota {
  const { periodMicros, quotaMicros } = cpuBandwidth(fraction);
  const v2 = existsSync(join(root, 'cgroup.controllers')) && readFileSync(join(root, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('cpu');
  const parent = v2 ? root : join(root, 'cpu');
  if (!existsSync(parent)) throw new CpuQuotaError(`no cgroup CPU controller at ${root} (neither cgroup v2 with "cpu" nor v1 ${parent})`);
  const group = join(parent, name);
  try {
    mkdirSync(group);
    if (v2) writeFileSync(join(group, 'cpu.max'), `${quotaMicros} ${periodMicros}`);
    else {
      writeFileSync(join(group, 'cpu.cfs_period_us'), String(periodMicros));
      writeFileSync(join(group, 'cpu.cfs_quota_us'), String(quotaMicros));
    }
  } catch (error) {
    try {
      rmdirSync(group);
    } catch {
      // Never created.
    }
    throw new CpuQuotaError(`cannot create the CPU quota group ${group}: ${(error as Error).message} (it needs root and a writable cgroup filesystem)`);
  }
  const procs = join(group, 'cgroup.procs');
  return {
    fraction,
    periodMicros,
    quotaMicros,
    group,
    method: v2 ? `cgroup v2 cpu.max "${quotaMicros} ${periodMicros}"` : `cgroup v1 cpu.cfs_quota_us ${quotaMicros} / cpu.cfs_period_us ${periodMicros}`,
    prefix: ['sh', '-c', `echo $$ > '${procs}' && exec "$@"`, 'cpu-quota'],
    remove() {
      if (existsSync(group)) rmdirSync(group);
    },
  };
}
