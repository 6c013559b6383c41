// Open-loop load generator: offers requests on a fixed clock whatever the server answers, and
// measures every latency from the request's INTENDED send time (no coordinated omission).
// A thin driver on undici's Pool (see README "open loop" for why no packaged tool does this).
// The bench runs it on a thread of its own (./open-loop-thread.ts): driveOpenLoop drives this thread.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { OpenLoopClient } from './open-loop-client.ts';
import { checkRequest } from './request.ts';
import {
  SecondTally, checkSchedule, intendedSendTimesMs,
  type OpenLoopPhase, type OpenLoopSecond, type Outcome,
} from './open-loop-tally.ts';

export type { OpenLoopPhase, OpenLoopSecond } from './open-loop-tally.ts';

export const DEFAULT_OPEN_LOOP_CONNECTIONS = 256;
export const DEFAULT_LAG_TOLERANCE_MS = 50;
// A generator that cannot keep up must still read answers: it yields after this many sends.
const MAX_SENDS_PER_TICK = 256;
// Connections opened (one uncounted GET each) before the clock starts; the rest open on demand.
const WARM_UP_CONNECTIONS = 16;

export interface OpenLoopRequest {
  url: string;                 // http://127.0.0.1:<port> or http://localhost:<port>, nothing else
  paths: string[];             // requests cycle through them in order
  phases: OpenLoopPhase[];     // the schedule: rate × whole seconds, one after the other
  connections?: number;        // most sockets open at once; beyond them requests wait in the client (their wait counts as latency)
  timeoutSeconds?: number;     // per-request timeout (headers, then body); also bounds the drain after the schedule
  lagToleranceMs?: number;     // a send later than this behind its intended time marks its second "generator behind"
}

/** A second as reported in the result (the raw latencies go only to onSecond). */
export type OpenLoopSecondRow = Omit<OpenLoopSecond, 'servedLatenciesUs'>;

export interface OpenLoopTotals { offered: number; completed: number; rejected: number; failed: number; unfinished: number; unsent: number }

export interface OpenLoopResult {
  ok: boolean;                 // false: not a single 2xx answer, or part of the schedule never sent
  failure?: string;
  tool: { name: 'undici'; version: string };
  seconds: OpenLoopSecondRow[];
  totals: OpenLoopTotals;      // unfinished: unanswered at the deadline; unsent: never sent (the generator was still behind at the deadline)
  generatorKeptUp: boolean;    // false: some second was sent late (behindSeconds) or never sent — not the server's figure there
  behindSeconds: number[];
  warmUpRequests: number;      // uncounted GETs sent before the clock started (one per warmed connection)
  cpuSeconds: number;          // the driving thread's CPU during the run (threadCpuSeconds); the server runs elsewhere
  wallSeconds: number;
}

const requireHere = createRequire(import.meta.url);

export function undiciVersion(): string {
  return (requireHere('undici/package.json') as { version: string }).version;
}

/**
 * CPU seconds of the calling thread: /proc/thread-self/schedstat's time on a CPU (ns), so the
 * generator's thread is measured apart from the orchestrator's; the process's where /proc has
 * no thread-self.
 */
export function threadCpuSeconds(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e9;
  } catch {
    const cpu = process.cpuUsage();
    return (cpu.user + cpu.system) / 1e6;
  }
}

interface CheckedOpenLoop { origin: string; paths: string[]; phases: OpenLoopPhase[]; connections: number; timeoutMs: number; lagToleranceUs: number }

/** The request's checks (local target, schedule, connections, timeout, tolerance): throws a readable error. */
export function checkOpenLoopRequest(request: OpenLoopRequest): CheckedOpenLoop {
  checkSchedule(request.phases);
  const durationSeconds = request.phases.reduce((sum, phase) => sum + phase.seconds, 0);
  // The shared checks: local target only, sane paths, positive connections and timeout.
  const checked = checkRequest({
    url: request.url, paths: request.paths, connections: request.connections ?? DEFAULT_OPEN_LOOP_CONNECTIONS,
    durationSeconds, keepAlive: true, ...(request.timeoutSeconds === undefined ? {} : { timeoutSeconds: request.timeoutSeconds }),
  });
  const lagToleranceMs = request.lagToleranceMs ?? DEFAULT_LAG_TOLERANCE_MS;
  if (!(lagToleranceMs > 0) || !Number.isFinite(lagToleranceMs)) throw new Error(`lagToleranceMs must be a positive number (got ${lagToleranceMs})`);
  return {
    origin: checked.origin, paths: checked.paths, phases: request.phases, connections: checked.connections,
    timeoutMs: checked.timeoutSeconds * 1000, lagToleranceUs: lagToleranceMs * 1000,
  };
}

/** Runs the schedule on this thread; onSecond gets each second as soon as it is closed. Bounded: schedule + timeout + 2 s. */
export async function driveOpenLoop(request: OpenLoopRequest, onSecond?: (second: OpenLoopSecond) => void): Promise<OpenLoopResult> {
  const checked = checkOpenLoopRequest(request);
  const intended = intendedSendTimesMs(checked.phases);
  const scheduleSeconds = checked.phases.reduce((sum, phase) => sum + phase.seconds, 0);
  const drainDeadlineMs = scheduleSeconds * 1000 + checked.timeoutMs + 2000;
  const tally = new SecondTally(checked.phases, checked.lagToleranceUs);
  const seconds: OpenLoopSecondRow[] = [];
  const totals: OpenLoopTotals = { offered: 0, completed: 0, rejected: 0, failed: 0, unfinished: 0, unsent: 0 };
  let start = performance.now();
  const clock = (): number => performance.now() - start;
  let next = 0;
  let closed = 0;
  let finished = false;
  let callbackError: unknown = null;

  let wakeAfterLastAnswer: (() => void) | null = null;
  const end = (intendedMs: number, outcome: Outcome): void => {
    if (finished) return; // after the drain deadline: counted as unfinished
    tally.ended(intendedMs, clock(), outcome);
    totals[outcome] += 1;
    if (closed >= scheduleSeconds && tally.inFlight === 0) wakeAfterLastAnswer?.();
  };
  const client = new OpenLoopClient({ origin: checked.origin, connections: checked.connections, timeoutMs: checked.timeoutMs, clock, onEnd: end });
  const send = (index: number): void => {
    const intendedMs = intended[index] ?? 0;
    tally.sent(intendedMs, clock());
    totals.offered += 1;
    client.offer(intendedMs, checked.paths[index % checked.paths.length] ?? '/');
  };
  const warmUpRequests = Math.min(checked.connections, WARM_UP_CONNECTIONS);
  await client.warmUp(checked.paths[0] ?? '/', warmUpRequests);
  const cpuAtStart = threadCpuSeconds();
  start = performance.now();
  const closeSecond = (): void => {
    const record = tally.close(closed);
    closed += 1;
    const { servedLatenciesUs: _latencies, ...row } = record;
    seconds.push(row);
    try {
      onSecond?.(record);
    } catch (error) {
      callbackError ??= error;
    }
  };

  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | null = null;
    let stopped = false;
    const stop = (): void => {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      resolve();
    };
    const tick = (): void => {
      if (stopped) return;
      let now = clock();
      let sentThisTick = 0;
      while (next < intended.length && (intended[next] ?? Infinity) <= now && sentThisTick < MAX_SENDS_PER_TICK) {
        send(next);
        next += 1;
        sentThisTick += 1;
        now = clock();
      }
      const nextIntended = intended[next] ?? Infinity;
      while (now >= (closed + 1) * 1000 && nextIntended >= (closed + 1) * 1000) {
        closeSecond();
        const drained = closed >= scheduleSeconds && tally.inFlight === 0 && tally.endedInOpenSeconds === 0;
        if (drained || now >= drainDeadlineMs) {
          stop();
          return;
        }
      }
      // After the schedule, the last answer ends the run: its drain second is closed then,
      // shorter than a second, instead of waiting for the second's end (about 1 s a run).
      if (closed >= scheduleSeconds && tally.inFlight === 0) {
        while (tally.endedInOpenSeconds > 0) closeSecond();
        stop();
        return;
      }
      const untilSend = nextIntended - now;
      const untilClose = (closed + 1) * 1000 - now;
      if (untilSend <= 0) setImmediate(tick); // behind: let answers in, then go on sending
      else timer = setTimeout(tick, Math.min(untilSend, untilClose));
    };
    wakeAfterLastAnswer = () => setImmediate(tick);
    tick();
  });
  finished = true;
  totals.unfinished = tally.inFlight;
  totals.unsent = intended.length - next;
  const wallSeconds = clock() / 1000;
  const cpuSeconds = threadCpuSeconds() - cpuAtStart;
  await client.destroy();
  if (callbackError !== null) throw callbackError;

  const behindSeconds = seconds.filter((second) => second.generatorBehind).map((second) => second.second);
  const result: OpenLoopResult = {
    ok: totals.completed > 0 && totals.unsent === 0,
    tool: { name: 'undici', version: undiciVersion() },
    seconds, totals,
    generatorKeptUp: behindSeconds.length === 0 && totals.unsent === 0,
    behindSeconds,
    warmUpRequests,
    cpuSeconds,
    wallSeconds,
  };
  if (totals.unsent > 0) {
    result.failure = `the generator fell behind its schedule and ${totals.unsent} of ${intended.length} requests were never sent before the deadline (${drainDeadlineMs / 1000} s)`;
  } else if (!result.ok) {
    result.failure = `no request was served (${totals.offered} offered: ${totals.rejected} rejected, ${totals.failed} failed, ${totals.unfinished} unfinished)`;
  }
  return result;
}
