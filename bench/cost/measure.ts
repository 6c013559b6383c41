/**
 * Instructions per request of a server, counted by callgrind (side effects).
 *
 * For each server process (`processes` of them, one after another):
 *   1. start it under callgrind (the subject's own start command, wrapped: command.ts),
 *      uninstrumented: node's start is not counted, and so runs three times faster;
 *   2. once it is ready, turn instrumentation on in every process of its group;
 *   3. warm-up requests (JIT, caches), uncounted;
 *   4. one window from rest, measured and set aside (FIRST_WINDOWS_SET_ASIDE), then
 *      `windowsPerProcess` measured windows: zero the counters, send exactly N requests,
 *      dump; the window's instructions, split by the call graph (call-graph.ts) into
 *      timer work, garbage collection and the rest.
 * The counters are zeroed and dumped in every process of the server's process group, so
 * forked workers count too (their dumps are summed with the parent's).
 *
 * A window's cost per request leaves out the timer phase (samplers, the adaptive limiter's
 * window, histogram timers, the Date cache): timers fire by the wall clock, and a window
 * under callgrind lasts 5–60 s depending on the machine's load, so their work landed in
 * some windows and not others (v9/v10: windows 2.7–6.5% apart). It is measured apart, as
 * instructions per second of wall time. Garbage collection is work the requests cause, but
 * a scavenge (~0.9 M instructions) comes once per ~200 requests, so a window holds 0, 1 or
 * 2 of them: each window counts the process's GC per request averaged over all its
 * windows, not its own. cost/README.md shows the spreads before and after.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SequentialClient } from './client.ts';
import { valgrindArgs, wrapStartCommand } from './command.ts';
import { callgrindControl, newDumps, processGroupPids, type DumpFile } from './control.ts';
import { collectGarbage, restFlags, serverPids, settleServer } from './rest.ts';
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
  /** Keep each process's callgrind dumps in `<keepDumps>/process-<n>` (for callgrind_annotate). */
  keepDumps?: string;
}

export interface CostWindow {
  process: number;
  window: number;
  requests: number;
  /** Everything the server executed in the window (timers and GC included). */
  instructions: number;
  /** Of which in the timer phase (measured apart, not in perRequest). */
  timerInstructions: number;
  /** Of which garbage collection outside the timer phase (in perRequest as its process's average). */
  gcInstructions: number;
  /** Wall-clock length of the window, from zeroing the counters to dumping them. */
  seconds: number;
  /** Of which the wait, after the last answer, until no background thread used CPU (settleServer); absent in windows recorded before it. */
  settleSeconds?: number;
  /** instructions ÷ requests: the count as it was before timer work and GC were split out. */
  rawPerRequest: number;
  /** (instructions − timers − GC) ÷ requests + the process's GC per request over all its windows. */
  perRequest: number;
  /** Processes whose counters were summed (1, or a primary and its workers). */
  processCount: number;
  /** Turns of the event loop in the window, all processes (more turns than requests explain: timers woke the loop); absent in windows recorded before. */
  loopTurns?: number;
}

/** A period with no request (zero, wait, dump): what the server does while time passes. */
export interface IdlePeriod {
  seconds: number;
  instructions: number;
  timerInstructions: number;
  loopTurns: number;
  /** Instructions per second outside the timer phase ((instructions − timers − GC) ÷ seconds): the turns timers wake, their check and immediate phases. */
  perSecond: number;
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
  /** Each process's idle period, measured before its windows (optional for measurements built by hand, e.g. in tests). */
  idle?: IdlePeriod[];
  /** Each process's first window from rest, measured like the others and set aside (not in perRequest). */
  setAside?: CostWindow[];
  /** Instructions per request: median over every window, and its spread. */
  perRequest: Spread;
  /** The spread the windows had before timer work and GC were split out (rawPerRequest). */
  rawPerRequest: Spread;
  /** Timer work during the windows per second of wall time (all windows together). */
  timerInstructionsPerSecond: number;
  /** Garbage collection per request, over all windows. */
  gcPerRequest: number;
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

/**
 * Instrumentation on in every process of the server's group not yet instrumented (`done`
 * holds those that are): the ones running once it is ready, and any it forks later, before
 * the period that would count them.
 */
async function instrumentAll(pid: number, done: Set<number>): Promise<void> {
  const fresh = serverPids(pid).filter((p) => !done.has(p));
  if (fresh.length === 0) return;
  await callgrindControl('instrument', fresh);
  for (const p of fresh) done.add(p);
}

/** Zeroes the counters of every process of the group, each instrumented first. */
async function zeroAll(pid: number, instrumented: Set<number>): Promise<void> {
  await instrumentAll(pid, instrumented);
  await callgrindControl('zero', serverPids(pid));
}

async function dumpAll(pid: number, outDir: string, seen: Set<string>): Promise<DumpFile[]> {
  const pids = serverPids(pid);
  await callgrindControl('dump', pids);
  const dumps = newDumps(outDir, seen);
  if (dumps.length !== pids.length) throw new Error(`callgrind_control -d answered OK for ${pids.length} processes but ${dumps.length} dump files appeared in ${outDir}`);
  return dumps;
}

const WINDOW_ATTEMPTS = 5;

/** A request that failed because the kept-alive connection was closed under it (not the server's answer). */
export function isStaleConnection(error: unknown): boolean {
  return /ECONNRESET|EPIPE|socket hang up/.test((error as Error)?.message ?? '');
}

/**
 * Windows from rest measured first in each process and set aside: the first window after the
 * warm-up and the idle period still cost more than the next ones, by 0.2–0.3% on chapters 1–3
 * and by 5–12% on chapter 6 (its two workers; cost session 1 of the recount, bench/cost/README.md),
 * while windows 2–5 agreed within 0.02–0.3%. The first window's history differs from every
 * later one's (warm-up and idle period instead of a window and a dump before its rest): it is
 * counted and shown, never in the cost.
 */
export const FIRST_WINDOWS_SET_ASIDE = 1;

/** How long the idle period lasts (wall time; under callgrind the 10 ms timers of chapters 9–10 wake the loop dozens of times in it). */
export const IDLE_SECONDS = 3;

/** What a process's windows share: its server, counters, dumps and the client (replaced when the server closed its connection). */
interface ProcessState {
  server: LaunchedServer;
  outDir: string;
  seen: Set<string>;
  instrumented: Set<number>;
  rests: Map<number, number>;
  client: SequentialClient;
}

type MeasuredWindow = Omit<CostWindow, 'perRequest'>;

/** One window from rest: garbage collected, connection open, settled, zeroed; N requests; settled, dumped. */
async function measureWindow(state: ProcessState, settings: CostSettings, index: number, window: number, label: string, log: (line: string) => void): Promise<MeasuredWindow> {
  const { server, outDir, seen, instrumented, rests } = state;
  let sent: { answered: number; started: number };
  for (let attempt = 1; ; attempt++) {
    // Every window starts from the same state: garbage collected, its connection open (the
    // server's keep-alive timeout may have closed it while we waited), no background work —
    // settled after the request that opens it, whose answer may hand work to the thread pool
    // as any other (settled before it, a PBKDF2 job of the test server's ran into the window
    // under load, 0.8–4.6% of its instructions: bench/cost/measure.test.ts).
    await collectGarbage(server.pid, outDir, rests);
    await state.client.prime();
    await settleServer(server.pid);
    await zeroAll(server.pid, instrumented);
    const started = performance.now();
    const connections = state.client.connectionsOpened;
    try {
      const { answered } = await state.client.send(settings.requests);
      if (state.client.connectionsOpened === connections) {
        sent = { answered, started };
        break;
      }
      if (attempt === WINDOW_ATTEMPTS) throw new Error(`${label}: the server closed the kept-alive connection inside ${attempt} attempts`);
      // Accepting a new connection (~0.37 M instructions on chapter 16) landed in the window: void, measured again.
      log(`cost: process ${index + 1} ${label}: the server closed the kept-alive connection before the window, a new one was opened inside it; measuring it again`);
    } catch (error) {
      if (!isStaleConnection(error) || attempt === WINDOW_ATTEMPTS) throw error;
      // The server's keep-alive timer closed the idle connection while callgrind dumped
      // (under callgrind a 5 s idle timeout fires late, after the next request arrived):
      // the window is void. A new connection, then the same window again.
      log(`cost: process ${index + 1} ${label}: the connection was closed under the window (${(error as Error).message}); measuring it again on a new connection`);
      state.client.close();
      state.client = new SequentialClient(server.url, settings.paths);
    }
  }
  const { answered } = sent;
  const settleSeconds = await settleServer(server.pid);
  const seconds = (performance.now() - sent.started) / 1000;
  const dumps = await dumpAll(server.pid, outDir, seen);
  const instructions = totalInstructions(dumps);
  if (answered !== settings.requests) throw new Error(`${label}: ${answered} answers for ${settings.requests} requests`);
  const timerInstructions = dumps.reduce((sum, d) => sum + d.split.timers, 0);
  const gcInstructions = dumps.reduce((sum, d) => sum + d.split.gc, 0);
  const loopTurns = dumps.reduce((sum, d) => sum + d.split.loopTurns, 0);
  log(`cost: process ${index + 1} ${label}: ${answered} requests in ${seconds.toFixed(1)} s (${settleSeconds.toFixed(1)} s of it settling), ${(instructions / 1e6).toFixed(2)} M instructions (timers ${(timerInstructions / 1e6).toFixed(2)} M, GC ${(gcInstructions / 1e6).toFixed(2)} M), ${loopTurns} loop turns`);
  return { process: index + 1, window, requests: answered, instructions, timerInstructions, gcInstructions, seconds, settleSeconds, rawPerRequest: instructions / answered, processCount: dumps.length, loopTurns };
}

async function measureProcess(subject: CostSubject, settings: CostSettings, index: number, log: (line: string) => void): Promise<{ idle: IdlePeriod; setAside: CostWindow[]; windows: CostWindow[] }> {
  const outDir = mkdtempSync(join(tmpdir(), 'cost-callgrind-'));
  const start = wrapStartCommand(subject.start, { outDir, nodeFlags: [...settings.nodeFlags, ...restFlags(outDir)] });
  let state: ProcessState | null = null;
  let server: LaunchedServer | null = null;
  try {
    server = await subject.launch(start, settings.readyTimeoutMs);
    state = { server, outDir, seen: new Set(), instrumented: new Set(), rests: new Map(), client: new SequentialClient(server.url, settings.paths) };
    await instrumentAll(server.pid, state.instrumented);
    const warm = await state.client.send(settings.warmupRequests);
    log(`cost: process ${index + 1}: ready, instrumented; ${warm.answered} warm-up requests`);
    await collectGarbage(server.pid, outDir, state.rests);
    await settleServer(server.pid);
    const idle = await idlePeriod(server.pid, outDir, state.seen, state.instrumented);
    log(`cost: process ${index + 1}: idle ${idle.seconds.toFixed(1)} s: ${(idle.instructions / 1e6).toFixed(2)} M instructions (timers ${(idle.timerInstructions / 1e6).toFixed(2)} M), ${idle.loopTurns} loop turns, ${(idle.perSecond / 1e3).toFixed(1)} k per second outside the timers`);
    // Numbered from 1 after the windows set aside first (which are numbered 0, −1, …).
    const firstSetAside: MeasuredWindow[] = [];
    for (let w = 0; w < FIRST_WINDOWS_SET_ASIDE; w++) firstSetAside.push(await measureWindow(state, settings, index, w + 1 - FIRST_WINDOWS_SET_ASIDE, 'window set aside', log));
    const counted: MeasuredWindow[] = [];
    for (let w = 1; w <= settings.windowsPerProcess; w++) counted.push(await measureWindow(state, settings, index, w, `window ${w}`, log));
    // The windows set aside share their process's GC average with the counted ones, as before.
    return { idle, setAside: perRequestOf([...firstSetAside, ...counted]).slice(0, firstSetAside.length), windows: perRequestOf(counted) };
  } finally {
    state?.client.close();
    await server?.stop();
    if (settings.keepDumps !== undefined) cpSync(outDir, join(settings.keepDumps, `process-${index + 1}`), { recursive: true });
    rmSync(outDir, { recursive: true, force: true });
  }
}

/**
 * The paths and requests per window for a scenario: every window must send the same
 * requests (200 requests over 64 mix paths sent some paths 4 times and others 3, and the
 * windows of v1–v4 differed by up to 5%). A sequence longer than a window (mix is now
 * 200,000 Zipf draws) is cut to its first `requested` paths, replayed by every window and
 * the warm-up; a shorter one is sent in whole cycles, rounded down, never below one (pure).
 */
export function windowPaths(paths: readonly string[], requested: number): { paths: readonly string[]; requests: number } {
  if (paths.length >= requested) return { paths: paths.slice(0, requested), requests: requested };
  return { paths, requests: requested - (requested % paths.length) };
}

/** Zero, IDLE_SECONDS without a request, dump: what time costs the server outside the timer phase. */
async function idlePeriod(pid: number, outDir: string, seen: Set<string>, instrumented: Set<number>): Promise<IdlePeriod> {
  await zeroAll(pid, instrumented);
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
  const dumps = await dumpAll(pid, outDir, seen);
  const seconds = (performance.now() - started) / 1000;
  const instructions = totalInstructions(dumps);
  const timerInstructions = dumps.reduce((sum, d) => sum + d.split.timers, 0);
  const gc = dumps.reduce((sum, d) => sum + d.split.gc, 0);
  const loopTurns = dumps.reduce((sum, d) => sum + d.split.loopTurns, 0);
  return { seconds, instructions, timerInstructions, loopTurns, perSecond: (instructions - timerInstructions - gc) / seconds };
}

/**
 * Each window's cost per request (pure): its own work without timers and GC, plus its
 * process's GC per request over all windows. What time costs outside the timer phase (the
 * turns timers wake run the poll, check and immediate phases) is measured apart in the idle
 * period and shown, not subtracted: taken out at the idle rate per second of a window, it
 * matched chapter 16 (127 k/s) but took 4× too much out of chapter 9 (208 k/s idle against
 * ~57 k/s between its windows: a timer tick that shares a turn with a request costs less
 * than one that wakes an idle loop), and per loop turn at the idle cost of a turn it took too
 * little out of both (bench/cost/README.md).
 */
export function perRequestOf(windows: Omit<CostWindow, 'perRequest'>[]): CostWindow[] {
  const requests = windows.reduce((sum, w) => sum + w.requests, 0);
  const gcPerRequest = windows.reduce((sum, w) => sum + w.gcInstructions, 0) / requests;
  return windows.map((w) => ({ ...w, perRequest: (w.instructions - w.timerInstructions - w.gcInstructions) / w.requests + gcPerRequest }));
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
  const idle: IdlePeriod[] = [];
  const setAside: CostWindow[] = [];
  const withinProcess: Spread[] = [];
  for (let p = 0; p < settings.processes; p++) {
    const measured = await measureProcess(subject, settings, p, log);
    idle.push(measured.idle);
    setAside.push(...measured.setAside);
    windows.push(...measured.windows);
    withinProcess.push(spreadOf(measured.windows.map((w) => w.perRequest)));
  }
  const sum = (pick: (w: CostWindow) => number) => windows.reduce((total, w) => total + pick(w), 0);
  return {
    windows,
    idle,
    setAside,
    perRequest: spreadOf(windows.map((w) => w.perRequest)),
    rawPerRequest: spreadOf(windows.map((w) => w.rawPerRequest)),
    timerInstructionsPerSecond: sum((w) => w.timerInstructions) / sum((w) => w.seconds),
    gcPerRequest: sum((w) => w.gcInstructions) / sum((w) => w.requests),
    withinProcess,
    provenance,
  };
}
