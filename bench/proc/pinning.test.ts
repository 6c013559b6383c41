import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpuCount, parseCpuList, pinPrefix, planPinning, splitCpus, whilePinned } from './pinning.ts';

const dirs: string[] = [];
const originalPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = originalPath;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A directory holding a `taskset` that prints `message` and exits `code`, first on PATH. */
function fakeTaskset(script: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'fake-taskset-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'taskset'), `#!/bin/sh\n${script}\n`);
  chmodSync(join(dir, 'taskset'), 0o755);
  process.env.PATH = `${dir}:${originalPath}`;
}

describe('CPU pinning', () => {
  it('reads CPU lists and splits them into disjoint sets', () => {
    expect(parseCpuList('0-2,5')).toEqual([0, 1, 2, 5]);
    expect(() => parseCpuList('zero')).toThrow(/not a CPU list/);
    expect(splitCpus([0, 1])).toEqual({ server: [0], loadgen: [1] });
    expect(splitCpus([0, 1, 2, 3, 4])).toEqual({ server: [0, 1, 2], loadgen: [3, 4] });
    expect(splitCpus([3])).toBeNull();
    expect(pinPrefix('0')).toEqual(['taskset', '-c', '0']);
    expect(pinPrefix(null)).toEqual([]);
    expect(cpuCount('0-3')).toBe(4);
  });

  it('is off with --no-pin and off the Linux platform', async () => {
    expect(await planPinning(false)).toEqual({ serverCpus: null, loadgenCpus: null, note: 'not pinned: --no-pin' });
    expect((await planPinning(true, 'darwin')).note).toBe('not pinned: pinning needs Linux (this is darwin)');
  });

  it('goes on unpinned, and says why, when taskset fails', async () => {
    fakeTaskset('echo "taskset: failed to get pid 1\'s affinity: Operation not permitted" >&2\nexit 1');
    const plan = await planPinning(true, 'linux');
    expect(plan).toEqual({ serverCpus: null, loadgenCpus: null, note: "not pinned: taskset failed: taskset: failed to get pid 1's affinity: Operation not permitted" });
  });

  it('goes on unpinned when only one CPU is available', async () => {
    fakeTaskset(`echo "pid $3's current affinity list: 3"`);
    expect((await planPinning(true, 'linux')).note).toBe('not pinned: only CPU 3 is available');
  });

  it('goes on unpinned when taskset reads the affinity but cannot run a command', async () => {
    fakeTaskset('if [ "$2" = "-p" ]; then echo "pid $3\'s current affinity list: 0,1"; else echo "taskset: failed to set pid 0\'s affinity: Invalid argument" >&2; exit 1; fi');
    const plan = await planPinning(true, 'linux');
    expect(plan.serverCpus).toBeNull();
    expect(plan.note).toMatch(/^not pinned: taskset failed: taskset: failed to set pid 0's affinity/);
  });

  it('pins the servers and the load generator to disjoint CPUs where taskset works', async () => {
    fakeTaskset('if [ "$2" = "-p" ]; then echo "pid $3\'s current affinity list: 0-3"; else shift 2; exec "$@"; fi');
    expect(await planPinning(true, 'linux')).toEqual({ serverCpus: '0,1', loadgenCpus: '2,3', note: 'pinned with taskset: servers on CPU 0,1, load generator on CPU 2,3' });
  });
});

describe('whilePinned', () => {
  const affinity = () => /list:\s*(\S+)/.exec(execFileSync('taskset', ['-c', '-p', String(process.pid)], { encoding: 'utf8' }))?.[1];

  it('runs the work with this process on the CPUs given, then puts its affinity back', async () => {
    const before = affinity();
    const first = String(parseCpuList(before ?? '0')[0]);
    const { value, note } = await whilePinned(first, async () => affinity());
    expect(value).toBe(first);
    expect(note).toBe(`the bench process (the generator) pinned to CPU ${first}`);
    expect(affinity()).toBe(before);
  });

  it('runs the work unpinned, and says why, when there are no CPUs or taskset refuses them', async () => {
    expect(await whilePinned(null, async () => 1)).toEqual({ value: 1, note: 'the bench process (the generator) not pinned' });
    const refused = await whilePinned('4095', async () => 2);
    expect(refused.value).toBe(2);
    expect(refused.note).toMatch(/^the bench process \(the generator\) not pinned: /);
  });
});
