/**
 * Bringing a server under callgrind to the same state before every measured window, and to
 * rest before every dump (side effects; restFlags is pure).
 *
 * Two things made windows of the same requests count differently (bench/cost/README.md):
 * - work a request hands to libuv's thread pool (chapter 13 compresses every answer seen
 *   twice with brotli at quality 11, ~30 M instructions each) runs under callgrind for
 *   seconds after the answer was sent, its completion on the main thread after that, and
 *   landed in whichever window was open (chapters 13 and 14 on mix: windows 260% and 8077%
 *   apart). `settleServer` waits until no thread but the main threads uses CPU: before
 *   the first window, and after each window's last answer before its dump, so a window holds
 *   the background work its own requests caused, and only that.
 * - garbage collection: a scavenge of chapter 16 (~1.3 M instructions) comes once per ~400
 *   hot requests, so a 200-request window held 0 or 1, and freeing the buffers it swept
 *   made the next allocations dearer (glibc's malloc_consolidate, the backing-store
 *   destructors: ~0.35 M more outside the collection itself). `collectGarbage` runs a full
 *   collection in every process of the server before each window (through a preloaded
 *   module listening for SIGUSR2: `restFlags`), so every window starts from an empty young
 *   generation and the collections inside it fall at the same requests.
 * - the sweeping that collection leaves: V8 frees the dead objects of old space page by page
 *   after a full collection, on the main thread under `--single-threaded`, in tasks of the
 *   event loop or when an allocation needs the page. It was usually done before the window;
 *   in some mix counts of the lean chapters it was not (chapter 19: a window 0.68% high, ~0.4 M
 *   instructions of `Sweeper::RawSweep` and its helpers). The rest now finishes the sweeping at
 *   once (`getHeapCodeStatistics` makes the heap iterable, which completes it).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { threadActivity } from '../proc/cpu.ts';
import { busyBackgroundThreads, processGroupPids } from './control.ts';

/**
 * How windows are made today, recorded in every cost session's settings (`method`) and part
 * of the key by which an edition reuses a count (bench/edition/cost.ts): a count made before
 * (no `method`) is not reused.
 */
export const COST_METHOD = 'windows from rest: garbage collected, connection open, background settled after its request; settled before each dump; an idle period shown apart; the first window set aside; the wall clock (Date.now) stopped at the first rest; the sweeping of each collection finished at its rest; performance.now() a counter from the start (a microsecond per read)';

/**
 * How far the server's monotonic clock (`performance.now()`) moves per read under the count.
 * Chapters 9–20 decide by it (a turn's length against a target or a budget, a standing queue,
 * a round trip, a one-second window); under callgrind the same work takes about fifty times
 * as long, so the wall clock made a sequential client's searches look like an overloaded
 * server's — and whether a window found the server behind turned on the machine's pace
 * (chapter 20's mix: 8 of 14 counts 0.5–2% apart). A counter is the same in every process
 * and its turns are as short as the real server's under one client.
 */
export const CLOCK_STEP_MS = 0.001;

/** The signal the preloaded module answers with a full garbage collection (free in every chapter: none handles it). */
export const REST_SIGNAL = 'SIGUSR2';

/**
 * Node flags that make the server collect its garbage on REST_SIGNAL and say so: after the
 * collection and its sweeping, and a turn of the loop for the tasks it posted (weak callbacks, finalizers),
 * the process writes `<dir>/rest.<pid>.<n>` for its n-th signal; from the first signal on,
 * `Date.now()` returns the time of that signal (timers keep libuv's monotonic clock, and
 * `new Date()` the real time); `performance.now()` advances by CLOCK_STEP_MS per read from
 * the start. The module is preloaded
 * (`--import`, a data: URL: no file to ship into the chapter's tree) and inherited by
 * node:cluster workers through their execArgv. Node unrefs signal handles: the listener
 * keeps no server alive (pure).
 */
export function restFlags(dir: string): string[] {
  const source = [
    "import { writeFileSync } from 'node:fs';",
    "import { getHeapCodeStatistics } from 'node:v8';",
    "import { performance } from 'node:perf_hooks';",
    // From the start (not the first rest: a state the warm-up reached on the wall clock would
    // stay frozen, e.g. a loop held behind), every read of the monotonic clock advances it by
    // one step, whatever the time.
    'const origin = performance.now();',
    'let reads = 0;',
    `performance.now = () => origin + ++reads * ${CLOCK_STEP_MS};`,
    'let rests = 0;',
    'let stoppedAt;',
    `process.on('${REST_SIGNAL}', () => {`,
    // The wall clock stops at the first rest (after the warm-up): work a request does when it
    // finds the second changed (chapter 12's Date header, its complete answers rebuilt) would
    // otherwise land in a window as often as the window lasts seconds (bench/cost/README.md).
    '  if (stoppedAt === undefined) { stoppedAt = Date.now(); Date.now = () => stoppedAt; }',
    '  globalThis.gc();',
    // V8 sweeps old space lazily after a full collection; making the heap iterable (which
    // collecting code statistics does first) sweeps every page now, not inside a window.
    '  getHeapCodeStatistics();',
    `  const n = ++rests; setTimeout(() => writeFileSync(${JSON.stringify(dir)} + '/rest.' + process.pid + '.' + n, ''), 50);`,
    '});',
  ].join('\n');
  return ['--expose-gc', `--import=data:text/javascript,${encodeURIComponent(source)}`];
}

/** The server's processes: its process group (a leader and the workers it forked), or the server alone when it leads no group. */
export function serverPids(pid: number): number[] {
  const group = processGroupPids(pid);
  return group.length > 0 ? group : [pid];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Signals every process of the server to collect its garbage and waits until each has
 * written its `rest.<pid>.<n>` (n = its count of signals so far, kept in `rests`).
 */
export async function collectGarbage(pid: number, dir: string, rests: Map<number, number>, timeoutMs = SETTLE.timeoutMs): Promise<void> {
  const pids = serverPids(pid);
  const expected = pids.map((p) => {
    const n = (rests.get(p) ?? 0) + 1;
    rests.set(p, n);
    process.kill(p, REST_SIGNAL);
    return join(dir, `rest.${p}.${n}`);
  });
  const started = performance.now();
  while (!expected.every((file) => existsSync(file))) {
    if (performance.now() - started > timeoutMs) throw new Error(`the server did not answer ${REST_SIGNAL} with a garbage collection within ${timeoutMs / 1000} s (no ${expected.filter((f) => !existsSync(f)).join(', ')})`);
    await sleep(50);
  }
}

/** How a server is brought to rest: CPU readings `sampleMs` apart, `quietReadings` in a row with no background thread busy. */
export const SETTLE = { sampleMs: 100, quietReadings: 3, timeoutMs: 900_000 } as const;

/**
 * Waits until no thread of the server but each process's main thread has used CPU or waited for a core for
 * `quietReadings` readings in a row, and returns the seconds waited. A thread that never
 * rests is an error after `timeoutMs`, naming it.
 */
export async function settleServer(pid: number, settle: { sampleMs: number; quietReadings: number; timeoutMs: number } = SETTLE): Promise<number> {
  const started = performance.now();
  let quiet = 0;
  let before = threadActivity(serverPids(pid));
  while (quiet < settle.quietReadings) {
    await sleep(settle.sampleMs);
    const after = threadActivity(serverPids(pid));
    const busy = busyBackgroundThreads(before, after);
    quiet = busy.length === 0 ? quiet + 1 : 0;
    before = after;
    if (quiet < settle.quietReadings && performance.now() - started > settle.timeoutMs) {
      throw new Error(`the server did not come to rest within ${settle.timeoutMs / 1000} s: thread(s) ${busy.join(', ')} (pid/tid) kept using CPU`);
    }
  }
  return (performance.now() - started) / 1000;
}
