import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cpuBandwidth, createCpuQuota, CpuQuotaError } from './cpu-quota.ts';

describe('cpuBandwidth', () => {
  it('keeps periods short and every quota at least the 1 ms the kernel accepts', () => {
    expect(cpuBandwidth(0.5)).toEqual({ periodMicros: 4000, quotaMicros: 2000 });
    expect(cpuBandwidth(1)).toEqual({ periodMicros: 4000, quotaMicros: 4000 });
    expect(cpuBandwidth(0.2)).toEqual({ periodMicros: 5000, quotaMicros: 1000 });
    expect(cpuBandwidth(0.1)).toEqual({ periodMicros: 10000, quotaMicros: 1000 });
  });

  it('refuses a share outside (0, 1]', () => {
    expect(() => cpuBandwidth(0)).toThrow(/\(0, 1\]/);
    expect(() => cpuBandwidth(1.5)).toThrow(/\(0, 1\]/);
  });
});

describe('createCpuQuota (on a stand-in cgroup filesystem)', () => {
  const roots: string[] = [];
  const root = (layout: 'v1' | 'v2' | 'none') => {
    const dir = mkdtempSync(join(tmpdir(), 'cgroup-'));
    roots.push(dir);
    if (layout === 'v1') mkdirSync(join(dir, 'cpu'));
    if (layout === 'v2') writeFileSync(join(dir, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    return dir;
  };
  afterEach(() => {
    for (const dir of roots.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('writes the v1 CFS period and quota', () => {
    const dir = root('v1');
    const quota = createCpuQuota(0.25, 'perf-book-test', dir);
    expect(readFileSync(join(dir, 'cpu', 'perf-book-test', 'cpu.cfs_period_us'), 'utf8')).toBe('4000');
    expect(readFileSync(join(dir, 'cpu', 'perf-book-test', 'cpu.cfs_quota_us'), 'utf8')).toBe('1000');
    expect(quota.method).toMatch(/cgroup v1/);
  });

  it('writes cpu.max under cgroup v2', () => {
    const dir = root('v2');
    createCpuQuota(0.5, 'perf-book-test', dir);
    expect(readFileSync(join(dir, 'perf-book-test', 'cpu.max'), 'utf8')).toBe('2000 4000');
  });

  it('says why when there is no CPU controller', () => {
    expect(() => createCpuQuota(0.5, 'perf-book-test', root('none'))).toThrow(CpuQuotaError);
  });

  it('its prefix puts the server itself in the group, then execs it (same pid)', () => {
    const dir = root('v1');
    const quota = createCpuQuota(0.5, 'perf-book-test', dir);
    const [command, ...args] = [...quota.prefix, process.execPath, '-e', 'process.stdout.write(String(process.pid))'];
    const pid = execFileSync(command, args, { encoding: 'utf8' });
    expect(readFileSync(join(dir, 'cpu', 'perf-book-test', 'cgroup.procs'), 'utf8').trim()).toBe(pid);
  });
});
