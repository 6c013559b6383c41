import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clockTicksPerSecond, loopThreadShare, parseProcStat, processTree, readCpuSeconds, readTreeCpuSeconds, serverThreadSplit, splitThreads, startCpuMonitor } from './cpu.ts';

describe('parseProcStat', () => {
  it('sums utime, stime, cutime and cstime of a real stat line', () => {
    const line = readFileSync('/proc/self/stat', 'utf8');
    const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    expect(parseProcStat(line, 100)).toBe(ticks / 100);
  });
  it('counts fields from the last ")" so a command name with spaces and parentheses cannot shift them', () => {
    const line = '4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 1 0 12345 1000 100 18446744073709551615';
    expect(parseProcStat(line, 100)).toBe((250 + 50 + 7 + 3) / 100);
  });
  it('rejects text that is not a stat line', () => {
    expect(() => parseProcStat('garbage', 100)).toThrow(/not a \/proc/);
  });
});

describe('readCpuSeconds', () => {
  it('uses the clock tick rate getconf reports', () => {
    expect(clockTicksPerSecond()).toBe(Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()));
  });
  it('reads the CPU this process has spent, and null for a process that is gone', async () => {
    let spin = 0;
    const until = Date.now() + 200;
    while (Date.now() < until) spin += 1;
    expect(spin).toBeGreaterThan(0);
    expect(readCpuSeconds(process.pid)).toBeGreaterThan(0);
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid as number;
    await once(child, 'exit');
    expect(readCpuSeconds(pid)).toBeNull();
  });
});

describe('startCpuMonitor', () => {
  it('keeps the last CPU time seen after the process has exited', async () => {
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 400; while (Date.now() < end) {}']);
    const monitor = startCpuMonitor(child.pid as number, 20);
    await once(child, 'exit');
    expect(readCpuSeconds(child.pid as number)).toBeNull();
    expect(monitor.stop()).toBeGreaterThan(0);
  });
  it('returns null when it never saw the process', async () => {
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid as number;
    await once(child, 'exit');
    expect(startCpuMonitor(pid).stop()).toBeNull();
  });
});

describe('readTreeCpuSeconds', () => {
  it('adds the CPU time of forked children to their parent (a node:cluster server is measured whole)', async () => {
    // A parent that forks a child burning 0.6 s of CPU (by its own CPU clock, not the wall
    // clock: on a loaded machine 600 ms of wall time may hold far less CPU); the parent idles.
    const script = `const { fork } = require('node:child_process');
      const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
      if (process.argv[2] === 'child') { while (cpu() < 0.6); setInterval(() => {}, 1000); }
      else { fork(__filename, ['child']); setInterval(() => {}, 1000); }`;
    const dir = mkdtempSync(join(tmpdir(), 'cpu-tree-'));
    const file = join(dir, 'tree.cjs');
    writeFileSync(file, script);
    const parent = spawn(process.execPath, [file], { stdio: 'ignore' });
    try {
      let tree: number[] = [];
      while (tree.length < 2) {
        await new Promise((r) => setTimeout(r, 50));
        tree = processTree(parent.pid!);
      }
      // Wait until the child has burnt its CPU (its own counter says so), then compare.
      while ((readCpuSeconds(tree[1]) ?? 0) < 0.5) await new Promise((r) => setTimeout(r, 50));
      const own = readCpuSeconds(parent.pid!)!;
      const whole = readTreeCpuSeconds(parent.pid!)!;
      // In clock ticks: the seconds are ticks ÷ CLK_TCK, and 0.57 − 0.07 is 0.49999999999999994 in floating point (a red run).
      const ticks = clockTicksPerSecond();
      expect(Math.round((whole - own) * ticks)).toBeGreaterThanOrEqual(0.5 * ticks);
    } finally {
      for (const pid of processTree(parent.pid!).reverse()) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('splitThreads and loopThreadShare', () => {
  it('counts each process main thread (tid = pid) as its event loop and every other thread apart', () => {
    const threads = new Map([
      ['10/10', { cpuNs: 5, runnable: true }], ['10/11', { cpuNs: 7, runnable: false }],
      ['20/20', { cpuNs: 3, runnable: false }], ['20/22', { cpuNs: 1, runnable: true }],
    ]);
    expect(splitThreads(threads)).toEqual({ loopNs: 8, otherNs: 8 });
  });
  it('gives the loop threads\' share of the CPU used between two splits, and null when none was used', () => {
    expect(loopThreadShare({ loopNs: 100, otherNs: 50 }, { loopNs: 120, otherNs: 130 })).toBe(0.2);
    expect(loopThreadShare({ loopNs: 100, otherNs: 50 }, { loopNs: 100, otherNs: 50 })).toBeNull();
  });
  it('sees a real process whose thread pool compresses while its event loop waits: most of its CPU is not the loop\'s', async () => {
    // brotli at its highest quality runs in libuv's pool; the loop only waits for the callback.
    const script = `
      const zlib = require('node:zlib');
      const body = Buffer.from(Array.from({ length: 200000 }, (_, i) => String((i * 7919) % 10007)).join(','));
      process.stdin.once('data', () => {
        let left = 4;
        for (let i = 0; i < 4; i++) zlib.brotliCompress(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }, () => { if (--left === 0) { process.stdout.write('done\\n'); } });
      });
      process.stdout.write('ready\\n');`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    const pid = child.pid as number;
    const lines = child.stdout.setEncoding('utf8');
    await once(lines, 'data');
    const before = serverThreadSplit(pid);
    child.stdin.write('go\n');
    await once(lines, 'data');
    const after = serverThreadSplit(pid);
    child.kill();
    await once(child, 'exit');
    expect(after.otherNs - before.otherNs).toBeGreaterThan(0);
    expect(loopThreadShare(before, after)).toBeLessThan(0.5);
  });
});
