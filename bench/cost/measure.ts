/**
 * Instructions per request of a server, counted by callgrind (side effects).
 *
 * For each server process (`processes` of them, one after another):
 *   1. start it under callgrind (the subject's own start command, wrapped: command.ts);
 *   2. dump once it is ready: that part is the startup cost (start, first poll, readiness),
 *      reported apart and never mixed into a request's cost;
 *   3. warm-up requests (JIT, caches), uncounted;
 *   4. `windowsPerProcess` measured windows: zero the counters, send exactly N requests,
 *      dump; instructions ÷ answers received is that window's cost per request.
 * The counters are zeroed and dumped in every process of the server's process group, so
 * forked workers count too (their dumps are summed with the parent's).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SequentialClient } from './client.ts';
import { valgrindArgs, wrapStartCommand } from './command.ts';
import { callgrindControl, newDumps, processGroupPids, type DumpFile } from './control.ts';
import { totalInstructions } from './callgrind-output.ts';
import { spreadOf, type Spread } from '../stats/spread.ts';

export interface LaunchedServer {
  url: string;
  /** The process group leader (the server's pid; its workers share the group). */
  pid: number;
  stop(): Promise<void>;
}

/**
 * What is measured: the subject's start command (the chapter contract's `start`) and a
 * way to launch a server with a given start command — provider, data directory,
 * readiness and cleanup stay with the caller, who knows how its subjects are started.
 */
export interface CostSubject {
  start: readonly string[];
  launch(start: string[], readyTimeoutMs: number): Promise<LaunchedServer>;
}

export interface CostSettings {
  paths: readonly string[];
  /** Requests per measured window (N). */
  requests: number;
  warmupRequests: number;
  /** Server processes started one after another. */
  processes: number;
  /** Measured windows in each process. */
  windowsPerProcess: number;
  nodeFlags: readonly string[];
  /** How long the server may take to become ready under callgrind. */
  readyTimeoutMs: number;
}

export interface CostWindow {
  process: number;
  window: number;
  requests: number;
  instructions: number;
  perRequest: number;
  /** Processes whose counters were summed (1, or a primary and its workers). */
  processCount: number;
}

export interface CostProvenance {
  valgrind: string;
  node: string;
  nodeFlags: string[];
  valgrindArgs: string[];
  requests: number;
  warmupRequests: number;
  processes: number;
  windowsPerProcess: number;
  paths: number;
}

export interface CostMeasurement {
  windows: CostWindow[];
  /** Startup instructions of each process (start until ready, first poll included). */
  startup: number[];
  /** Instructions per request: median over every window, and its spread. */
  perRequest: Spread;
  /** The spread within each process (windows of one process) — the noise of one run. */
  withinProcess: Spread[];
  provenance: CostProvenance;
}

function versionOf(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8' }).trim();
  } catch (error) {
    throw new Error(`\`${command} ${args.join(' ')}\` failed — is ${command} installed? (${(error as Error).message.split('\n')[0]})`);
  }
}

async function dumpAll(pid: number, outDir: string, seen: Set<string>): Promise<DumpFile[]> {
  const pids = processGroupPids(pid);
  await callgrindControl('dump', pids);
  const dumps = newDumps(outDir, seen);
  if (dumps.length !== pids.length) throw new Error(`callgrind_control -d answered OK for ${pids.length} processes but ${dumps.length} dump files appeared in ${outDir}`);
  return dumps;
}

async function measureProcess(subject: CostSubject, settings: CostSettings, index: number, log: (line: string) => void): Promise<{ startup: number; windows: CostWindow[] }> {
  const outDir = mkdtempSync(join(tmpdir(), 'cost-callgrind-'));
  const seen = new Set<string>();
  const start = wrapStartCommand(subject.start, { outDir, nodeFlags: settings.nodeFlags });
  let server: LaunchedServer | null = null;
  let client: SequentialClient | null = null;
  try {
    server = await subject.launch(start, settings.readyTimeoutMs);
    const startup = totalInstructions(await dumpAll(server.pid, outDir, seen));
    client = new SequentialClient(server.url, settings.paths);
    const warm = await client.send(settings.warmupRequests);
    log(`cost: process ${index + 1}: startup ${(startup / 1e6).toFixed(1)} M instructions; ${warm.answered} warm-up requests`);
    const windows: CostWindow[] = [];
    for (let w = 0; w < settings.windowsPerProcess; w++) {
      await callgrindControl('zero', processGroupPids(server.pid));
      const { answered } = await client.send(settings.requests);
      const dumps = await dumpAll(server.pid, outDir, seen);
      const instructions = totalInstructions(dumps);
      if (answered !== settings.requests) throw new Error(`window ${w + 1}: ${answered} answers for ${settings.requests} requests`);
      windows.push({ process: index + 1, window: w + 1, requests: answered, instructions, perRequest: instructions / answered, processCount: dumps.length });
      log(`cost: process ${index + 1} window ${w + 1}: ${answered} requests, ${(instructions / 1e6).toFixed(2)} M instructions, ${(instructions / answered / 1e3).toFixed(1)} k per request`);
    }
    return { startup, windows };
  } finally {
    client?.close();
    await server?.stop();
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** Runs the measurement; any failed request, dump or start is an error, never a number. */
export async function measureCost(subject: CostSubject, settings: CostSettings, log: (line: string) => void = () => {}): Promise<CostMeasurement> {
  if (settings.requests < 1 || settings.processes < 1 || settings.windowsPerProcess < 1) throw new Error('requests, processes and windows must be at least 1');
  const provenance: CostProvenance = {
    valgrind: versionOf('valgrind', ['--version']),
    node: versionOf(subject.start[0], ['--version']),
    nodeFlags: [...settings.nodeFlags],
    valgrindArgs: valgrindArgs('<out>'),
    requests: settings.requests,
    warmupRequests: settings.warmupRequests,
    processes: settings.processes,
    windowsPerProcess: settings.windowsPerProcess,
    paths: settings.paths.length,
  };
  versionOf('callgrind_control', ['--version']);
  const windows: CostWindow[] = [];
  const startup: number[] = [];
  const withinProcess: Spread[] = [];
  for (let p = 0; p < settings.processes; p++) {
    const measured = await measureProcess(subject, settings, p, log);
    startup.push(measured.startup);
    windows.push(...measured.windows);
    withinProcess.push(spreadOf(measured.windows.map((w) => w.perRequest)));
  }
  return { windows, startup, perRequest: spreadOf(windows.map((w) => w.perRequest)), withinProcess, provenance };
}
