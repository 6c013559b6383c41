import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { clockTicksPerSecond, parseEndedChildrenTicks } from '../proc/cpu.ts';
import { judge, parseCpuTimes, type SliceFigures } from './disturbance.ts';

const stat = (cpu0: number[], cpu1: number[]) =>
  `cpu  1 2 3 4 5 6 7 8 0 0\ncpu0 ${cpu0.join(' ')} 0 0\ncpu1 ${cpu1.join(' ')} 0 0\nintr 1 2\n`;
// user nice system idle iowait irq softirq steal
const before = parseCpuTimes(stat([100, 0, 50, 1000, 0, 0, 0, 0], [100, 0, 50, 1000, 0, 0, 0, 0]));
const slice = (over: Partial<SliceFigures>): SliceFigures => ({
  wallSeconds: 2, durationSeconds: 2, cpus: [0, 1], before, after: parseCpuTimes(stat([300, 0, 50, 1000, 0, 0, 0, 0], [250, 0, 50, 1050, 0, 0, 0, 0])), ticksPerSecond: 100,
  serverCpuSeconds: 1.95, loadgenCpuSeconds: 1.4, benchCpuSeconds: 0.05, loadgenSaturated: false, serverCores: 1, ...over,
});

describe('a disturbed slice', () => {
  it('reads busy and steal ticks per CPU from /proc/stat', () => {
    expect(parseCpuTimes(stat([1, 2, 3, 4, 5, 6, 7, 8], [0, 0, 0, 0, 0, 0, 0, 0])).get(0)).toEqual({ busy: 1 + 2 + 3 + 6 + 7, steal: 8 });
  });

  it('is clean when the pinned CPUs were busy with the server, the generator and the bench alone', () => {
    expect(judge(slice({}))).toBeNull();
  });

  it('is disturbed by steal, by other processes on the pinned CPUs, or by a starved server the generator did not limit', () => {
    expect(judge(slice({ after: parseCpuTimes(stat([300, 0, 50, 1000, 0, 0, 0, 30], [250, 0, 50, 1050, 0, 0, 0, 0])) }))).toMatch(/^steal 7\.5% of the pinned CPUs$/);
    expect(judge(slice({ serverCpuSeconds: 1.0, loadgenCpuSeconds: 1.0 }))).toMatch(/other processes used 1\.45 s of the pinned CPUs' 4\.0 s/);
    expect(judge(slice({ cpus: null, serverCpuSeconds: 0.6 }))).toBe('the server used 30% of its cores while the load generator was not the limit');
    expect(judge(slice({ cpus: null, serverCpuSeconds: 0.6, loadgenSaturated: true }))).toBeNull();
  });

  it('counts the load generator\'s whole process, its start and exit included, as the generator\'s and not another process\'s', () => {
    // The run row counts 0.8 s of the generator (ready line to report); the process used 1.4 s in all.
    expect(judge(slice({ loadgenCpuSeconds: 0.8 }))).toMatch(/other processes used 0\.70 s/);
    expect(judge(slice({ loadgenCpuSeconds: 0.8, endedChildrenCpuSeconds: 1.4 }))).toBeNull();
  });

  it('reads the CPU of the children a process has waited for from /proc/<pid>/stat, a command name with spaces and parentheses included', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
    expect(parseEndedChildrenTicks('42 (a (b) c) S 1 42 42 0 -1 4194560 10 20 0 0 7 3 120 35 20 0 1 0 100 2000 300')).toBe(155);
    const ticks = clockTicksPerSecond();
    const before = parseEndedChildrenTicks(readFileSync('/proc/self/stat', 'utf8'))!;
    // A child that burns 0.3 s of its own CPU, then exits and is waited for.
    const child = spawnSync(process.execPath, ['-e', 'const t = process.cpuUsage(); while ((process.cpuUsage(t).user + process.cpuUsage(t).system) < 300_000);']);
    expect(child.status).toBe(0);
    const after = parseEndedChildrenTicks(readFileSync('/proc/self/stat', 'utf8'))!;
    expect((after - before) / ticks).toBeGreaterThanOrEqual(0.28);
  });
});
