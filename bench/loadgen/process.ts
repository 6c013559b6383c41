// Runs one load-generator process: stdout split into lines as they come, a CPU monitor on its
// pid, and a guard that kills it if it overruns. Tools that can wait for us after their final
// report (wrk's Lua done(), the autocannon worker) block on stdin until we have read their CPU
// time from /proc, so that figure is exact rather than the monitor's last poll. A tool that
// also says when its load starts (wrk's init(), after building its requests) and waits there
// for a line on stdin has its CPU and wall time counted from that moment: its start-up (the
// mix's 200 000 requests built) is not the load's cost, and would otherwise read as a busy
// generator beside an idle server.
import { spawn } from 'node:child_process';
import { readCpuSeconds, startCpuMonitor } from '../proc/cpu.ts';
import { pinPrefix } from '../proc/pinning.ts';

export interface ToolProcessOptions {
  command: string;
  args: string[];
  timeoutMs: number;                          // overrun guard: SIGTERM, then SIGKILL 2 s later
  env?: NodeJS.ProcessEnv;
  onLine?: (line: string) => void;            // every complete stdout line, as it arrives
  isFinalReportLine?: (line: string) => boolean; // the tool now waits on stdin for us to read its CPU
  isReadyLine?: (line: string) => boolean;    // the tool is about to start its load and waits for a line on stdin
  cpus?: string;                              // pin the tool to these CPUs (taskset execs it: same pid)
  /** SIGINT this long after the load starts (the last ready line, else the spawn): a tool that takes whole seconds (wrk) then ends early, reporting what it did. */
  interruptAfterMs?: number;
}

export interface ToolProcessRun {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  spawnError: Error | null;
  wallSeconds: number;                        // from spawn (or the last ready line) to the final report (or exit)
  cpuSeconds: number | null;                  // the tool's, over the same span
  /** The tool's CPU seconds before its load started (its last ready line); null without one. */
  startupCpuSeconds: number | null;
  pid: number | null;
}

export function runToolProcess(options: ToolProcessOptions): Promise<ToolProcessRun> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const elapsed = (): number => Number(process.hrtime.bigint() - started) / 1e9;
    const [command, ...args] = [...pinPrefix(options.cpus ?? null), options.command, ...options.args];
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    const stdoutChunks: Buffer[] = [];
    const stderrChunks: Buffer[] = [];
    let pending = '';
    let timedOut = false;
    let spawnError: Error | null = null;
    let finalCpu: number | null = null;
    let finalAt: number | null = null;
    let readyCpu: number | null = null;
    let readyAt = 0;
    const monitor = child.pid !== undefined ? startCpuMonitor(child.pid, 100) : null;
    let interruptTimer: NodeJS.Timeout | undefined;
    const armInterrupt = (): void => {
      if (options.interruptAfterMs === undefined) return;
      clearTimeout(interruptTimer);
      interruptTimer = setTimeout(() => child.kill('SIGINT'), options.interruptAfterMs);
    };
    if (options.isReadyLine === undefined) armInterrupt();

    const releaseTool = (): void => {
      if (child.stdin && !child.stdin.destroyed) child.stdin.end();
    };
    child.stdin.on('error', () => { /* the tool exited before reading stdin: nothing to release */ });

    const handleLine = (line: string): void => {
      options.onLine?.(line);
      if (options.isReadyLine?.(line)) {
        if (child.pid !== undefined) readyCpu = readCpuSeconds(child.pid);
        readyAt = elapsed();
        if (child.stdin && !child.stdin.destroyed) child.stdin.write('\n');
        armInterrupt();
      }
      if (options.isFinalReportLine?.(line)) {
        clearTimeout(interruptTimer);
        if (child.pid !== undefined) finalCpu = readCpuSeconds(child.pid);
        finalAt = elapsed();
        releaseTool();
      }
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdoutChunks.push(chunk);
      pending += chunk.toString('utf8');
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        handleLine(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => stderrChunks.push(chunk));

    let killTimer: NodeJS.Timeout | undefined;
    const guard = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
    }, options.timeoutMs);

    child.on('error', (error) => {
      spawnError = error;
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(guard);
      clearTimeout(interruptTimer);
      if (killTimer) clearTimeout(killTimer);
      if (pending !== '') handleLine(pending);
      const monitored = monitor ? monitor.stop() : null;
      const cpu = finalCpu ?? monitored;
      resolve({
        stdout: Buffer.concat(stdoutChunks).toString('utf8'),
        stderr: Buffer.concat(stderrChunks).toString('utf8'),
        exitCode,
        signal,
        timedOut,
        spawnError,
        wallSeconds: (finalAt ?? elapsed()) - readyAt,
        cpuSeconds: cpu === null ? null : cpu - (readyCpu ?? 0),
        startupCpuSeconds: readyCpu,
        pid: child.pid ?? null,
      });
    });
  });
}

/** A short explanation of why a tool run produced no report. */
export function describeAbnormalExit(name: string, run: ToolProcessRun, limitMs: number): string | null {
  if (run.spawnError) return `${name} could not be started: ${run.spawnError.message}`;
  if (run.timedOut) return `${name} overran its time limit (${limitMs / 1000} s) and was killed`;
  if (run.signal) return `${name} was killed by ${run.signal}: ${tail(run.stderr)}`;
  if (run.exitCode !== 0) return `${name} exited with code ${run.exitCode}: ${tail(run.stderr || run.stdout)}`;
  return null;
}

/** What a failed run keeps as its raw output: stdout, then stderr, both verbatim. */
export function rawOutput(run: ToolProcessRun): string {
  return run.stdout + run.stderr;
}

export function tail(text: string, lines = 5): string {
  return text.trim().split('\n').slice(-lines).join(' | ') || '(no output)';
}
