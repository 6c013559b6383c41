import { describe, expect, it } from 'vitest';
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
});
