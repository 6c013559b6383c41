import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeAbnormalExit, runToolProcess } from './process.ts';

describe('runToolProcess', () => {
  it('streams stdout lines, keeps stdout and stderr apart, and measures wall and CPU time', async () => {
    const lines: string[] = [];
    const run = await runToolProcess({
      command: process.execPath,
      args: ['-e', 'console.log("one"); console.error("warn"); const end = Date.now() + 300; while (Date.now() < end) {} process.stdout.write("two\\nthree")'],
      timeoutMs: 30_000,
      onLine: (line) => lines.push(line),
    });
    expect(lines).toEqual(['one', 'two', 'three']);
    expect(run).toMatchObject({ stdout: 'one\ntwo\nthree', stderr: 'warn\n', exitCode: 0, signal: null, timedOut: false, spawnError: null });
    expect(run.cpuSeconds).toBeGreaterThan(0);
    expect(run.wallSeconds).toBeGreaterThan(0);
    expect(describeAbnormalExit('node', run, 30_000)).toBeNull();
  });

  it('interrupts a tool (SIGINT) once its load has run interruptAfterMs, and keeps what it printed on the way out', async () => {
    const run = await runToolProcess({
      command: 'sh',
      args: ['-c', 'trap \'kill $pid; echo interrupted; exit 0\' INT; echo READY; read line; sleep 30 >/dev/null 2>&1 & pid=$!; wait'],
      timeoutMs: 20_000,
      isReadyLine: (line) => line === 'READY',
      interruptAfterMs: 50,
    });
    expect(run).toMatchObject({ stdout: 'READY\ninterrupted\n', exitCode: 0, signal: null, timedOut: false });
  });

  it('runs the tool pinned to the CPUs it is given, under its own pid', async () => {
    const cpu = /^Cpus_allowed_list:\s*(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1];
    const run = await runToolProcess({ command: 'sh', args: ['-c', 'echo $$; grep Cpus_allowed_list /proc/self/status'], timeoutMs: 30_000, cpus: cpu });
    const [pid, allowed] = run.stdout.trim().split('\n');
    expect(Number(pid)).toBe(run.pid); // taskset execs the tool: the pid whose CPU time is read is the tool's
    expect(allowed).toMatch(new RegExp(`^Cpus_allowed_list:\\s*${cpu}$`));
  });

  it('reads the CPU time while a tool waits after its final report, then releases it by closing stdin', async () => {
    const script = [
      'const end = Date.now() + 300; while (Date.now() < end) {}',
      'console.log("REPORT");',
      'process.stdin.resume(); process.stdin.on("end", () => { console.log("released"); process.exit(0); });',
    ].join('\n');
    const run = await runToolProcess({
      command: process.execPath,
      args: ['-e', script],
      timeoutMs: 30_000,
      isFinalReportLine: (line) => line === 'REPORT',
    });
    expect(run.stdout).toBe('REPORT\nreleased\n');
    expect(run.exitCode).toBe(0);
    expect(run.cpuSeconds).toBeGreaterThan(0);
  });

  it('counts CPU and wall time from the tool\'s ready line, answering it with a line on stdin', async () => {
    // Burns CPU by amount (the process's own CPU clock), not by wall time: 300 ms before ready, 100 ms after.
    const burn = (ms: number) => `{ const end = process.cpuUsage().user / 1000 + ${ms}; while (process.cpuUsage().user / 1000 < end) {} }`;
    const script = [
      burn(300),
      'console.log("READY");',
      'process.stdin.once("data", () => {',
      `  ${burn(100)}`,
      '  console.log("REPORT");',
      '  process.stdin.on("end", () => process.exit(0));',
      '});',
    ].join('\n');
    const started = performance.now();
    const run = await runToolProcess({
      command: process.execPath,
      args: ['-e', script],
      timeoutMs: 30_000,
      isReadyLine: (line) => line === 'READY',
      isFinalReportLine: (line) => line === 'REPORT',
    });
    expect(run.stdout).toBe('READY\nREPORT\n');
    expect(run.startupCpuSeconds).toBeGreaterThanOrEqual(0.3);
    expect(run.cpuSeconds).toBeGreaterThanOrEqual(0.1);
    expect(run.cpuSeconds).toBeLessThan(run.startupCpuSeconds!);
    // Wall time counts from the ready line: some, and less than the whole run's (whose start burned
    // 0.3 s of CPU). Not compared with cpuSeconds: that sums every thread of node (the GC's helpers
    // too) in 10 ms ticks, and once came out 8 ms above a 0.362 s wall.
    expect(run.wallSeconds).toBeGreaterThan(0);
    expect(run.wallSeconds).toBeLessThan((performance.now() - started) / 1000);
  });

  it('kills a tool that overruns its limit', async () => {
    const run = await runToolProcess({ command: 'sleep', args: ['30'], timeoutMs: 300 });
    expect(run.timedOut).toBe(true);
    expect(run.signal).toBe('SIGTERM');
    expect(describeAbnormalExit('sleep', run, 300)).toBe('sleep overran its time limit (0.3 s) and was killed');
  });

  it('reports a tool that cannot be started and one that fails', async () => {
    const missing = await runToolProcess({ command: '/nonexistent/tool', args: [], timeoutMs: 5_000 });
    expect(describeAbnormalExit('tool', missing, 5_000)).toMatch(/^tool could not be started: .*ENOENT/);
    const failing = await runToolProcess({ command: process.execPath, args: ['-e', 'console.error("bad flag"); process.exit(3)'], timeoutMs: 30_000 });
    expect(describeAbnormalExit('node', failing, 30_000)).toBe('node exited with code 3: bad flag');
  });
});
