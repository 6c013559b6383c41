/**
 * The measurement end to end on tiny real servers under real callgrind: a plain server,
 * one doing more work per request, on a timer, or in the thread pool, a server that forks
 * workers (node:cluster), and the node:http reference (an answer that is not a 200: client.test.ts).
 * Asserts what the counts must satisfy (exact request counts, one dump per process,
 * a cost that grows with the work per request), never how long anything took.
 *
 * Most of the time is node starting under callgrind, one process at a time on one core;
 * an instruction count does not depend on what else runs, so the measurements run at the
 * same time (concurrent tests, and the plain and heavy servers together). Each node started
 * under callgrind costs most of its CPU starting (this plain server measured alone: 18.5 s user,
 * 653 M instructions of startup, then windows of 20 requests under 1 s each, beside other work),
 * so the file starts as few as its assertions need: seven (eleven, then nine before; the plain
 * server serves three tests, and the refusal of an answer that is not a 200 is the client's).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ChapterContract } from '../subject/contract.ts';
import { Cleanup } from '../subject/cleanup.ts';
import { DEFAULT_NODE_FLAGS } from './command.ts';
import { referenceSubject } from './subject.ts';
import { isStaleConnection, measureCost, type CostMeasurement, type CostSettings, type CostSubject } from './measure.ts';

const SERVER = `
import cluster from 'node:cluster';
import http from 'node:http';
import crypto from 'node:crypto';
const args = process.argv.slice(2);
const port = Number(args[args.indexOf('--port') + 1]);
const workers = Number(process.env.WORKERS ?? 0);
const loops = Number(process.env.LOOPS ?? 1000);
// Timer work that fires by the wall clock, as a chapter's samplers and limiter do.
const timerLoops = Number(process.env.TIMER_LOOPS ?? 0);
if (timerLoops > 0) setInterval(() => { let y = 0; for (let i = 0; i < timerLoops; i++) y = (y + i * 3) % 1000003; globalThis.sink = y; }, 5).unref();
if (workers > 0 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
} else {
  const server = http.createServer((req, res) => {
    if (req.url === '/teapot') { res.writeHead(418); res.end('short and stout'); return; }
    let x = 0;
    for (let i = 0; i < loops; i++) x = (x + i * 7) % 1000003;
    res.end(String(x));
    // Work handed to libuv's thread pool after the answer, as chapter 13's compression of answers seen twice.
    if (process.env.BACKGROUND) crypto.pbkdf2(String(x), 'salt', 2000, 32, 'sha256', () => {});
  });
  // No idle timeout on the client's one keep-alive connection: under callgrind on a loaded machine
  // node's default 5 s fired (timers run before the poll phase) while the next request was already
  // waiting, and the warm-up failed with "socket hang up" (two tests of a full run).
  server.keepAliveTimeout = 0;
  server.listen(port, '127.0.0.1');
}
`;

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cost-test-'));
  writeFileSync(join(dir, 'server.mjs'), SERVER);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function subject(env: Record<string, string>): CostSubject {
  const contract: ChapterContract = { contract: 1, prepare: [], build: [], start: ['node', 'server.mjs', '--port', '{port}'], ready: { path: '/health', status: 200 }, env };
  return {
    start: contract.start,
    launch: (start, readyTimeoutMs) => startServer(dir, { ...contract, start }, { providerUrl: 'http://127.0.0.1:9', dataDir: dir, readyTimeoutMs }),
  };
}

/** After 5, the first window still ran functions without feedback vectors (V8 allocates them lazily). */
const SETTLED_WARMUP = 40;

/**
 * The plain server under the cost command's flags, settled: measured once, read by the
 * one-process test, the timer test and the thread-pool test (each compares its server with it).
 */
let settledPlain: Promise<CostMeasurement> | undefined;
const plainUnderCostFlags = (): Promise<CostMeasurement> =>
  (settledPlain ??= measureCost(subject({ LOOPS: '1000' }), settings({ nodeFlags: DEFAULT_NODE_FLAGS, warmupRequests: SETTLED_WARMUP })));

const settings = (overrides: Partial<CostSettings> = {}): CostSettings => ({
  paths: ['/a', '/b'],
  requests: 20,
  warmupRequests: 5,
  processes: 1,
  windowsPerProcess: 2,
  nodeFlags: ['--predictable', '--hash-seed=1', '--random-seed=1'],
  readyTimeoutMs: 180_000,
  ...overrides,
});

describe.concurrent('measureCost under callgrind', () => {
  it('counts one process: windows of exactly N answers, the start uncounted, more work costs more', async ({ expect }) => {
    const [plain, heavy] = await Promise.all([
      plainUnderCostFlags(),
      measureCost(subject({ LOOPS: '11000' }), settings({ windowsPerProcess: 1, nodeFlags: DEFAULT_NODE_FLAGS, warmupRequests: SETTLED_WARMUP })),
    ]);
    expect(plain.windows.map((w) => [w.process, w.window, w.requests, w.processCount])).toEqual([
      [1, 1, 20, 1],
      [1, 2, 20, 1],
    ]);
    for (const w of plain.windows) {
      expect(w.rawPerRequest).toBe(w.instructions / 20);
      expect(w.perRequest).toBeCloseTo((w.instructions - w.timerInstructions - w.gcInstructions) / 20 + plain.gcPerRequest, 6);
    }
    // One window from rest measured first and set aside: not in the cost, shown apart.
    expect(plain.setAside?.map((w) => [w.process, w.window, w.requests])).toEqual([[1, 0, 20]]);
    // Node starts uninstrumented; instrumentation is turned on once the server is ready.
    expect(plain.provenance.valgrindArgs).toContain('--instr-atstart=no');
    expect(plain.provenance).toMatchObject({ requests: 20, warmupRequests: SETTLED_WARMUP, processes: 1, windowsPerProcess: 2, paths: 2, nodeFlags: DEFAULT_NODE_FLAGS });
    expect(plain.provenance.valgrind).toMatch(/^valgrind-\d/);
    expect(plain.provenance.node).toBe(process.version);

    // 10,000 more loop iterations per request, each several bytecodes in the interpreter (--jitless):
    // over 100 instructions an iteration (3.02 M more per request, measured beside nothing else).
    expect(heavy.perRequest.median - plain.perRequest.median).toBeGreaterThan(1_000_000);
  }, 300_000);

  it('measures timer work apart: a server doing heavy work on a 5 ms interval costs what the same server without it costs per request', async ({ expect }) => {
    const [plain, ticking] = await Promise.all([
      plainUnderCostFlags(),
      measureCost(subject({ LOOPS: '1000', TIMER_LOOPS: '2000' }), settings({ windowsPerProcess: 1, nodeFlags: DEFAULT_NODE_FLAGS, warmupRequests: SETTLED_WARMUP })),
    ]);
    const [window] = ticking.windows;
    // The interval fired during the window (20 requests under callgrind take far longer than 5 ms) and cost a lot.
    expect(window.timerInstructions).toBeGreaterThan(20_000);
    expect(ticking.timerInstructionsPerSecond).toBeGreaterThan(0);
    // What the timers added to the whole count is gone from the cost per request, all but the event loop's
    // own turns that only a timer woke (less than a tenth of it: the same code, the interpreter only).
    const added = window.rawPerRequest - plain.windows[0].rawPerRequest;
    expect(added).toBeGreaterThan(1000);
    expect(Math.abs(window.perRequest - plain.windows[0].perRequest)).toBeLessThan(added / 10);
  }, 300_000);

  it('counts in each window the thread-pool work its own requests caused, and only that', async ({ expect }) => {
    const [plain, background] = await Promise.all([
      plainUnderCostFlags(),
      measureCost(subject({ LOOPS: '1000', BACKGROUND: '1' }), settings({ nodeFlags: DEFAULT_NODE_FLAGS, warmupRequests: SETTLED_WARMUP })),
    ]);
    // 2,000 rounds of PBKDF2 cost far more than the request itself: each window holds 20 of them.
    const added = background.windows.map((w) => w.perRequest - plain.perRequest.median);
    for (const a of added) expect(a).toBeGreaterThan(plain.perRequest.median);
    // Settled before each dump and before each zero, the windows agree (without the wait, compressions
    // ran past the dump into the next window: chapters 13 and 14 on mix, windows 260% and 8077% apart).
    expect(background.perRequest.range).toBeLessThan(0.005);
    expect(background.idle).toHaveLength(1);
  }, 300_000);

  it('counts the worker a server forks (node:cluster): one dump per process, summed', async ({ expect }) => {
    // One worker: the primary and its worker, two processes under callgrind and two dumps summed. A
    // second worker cost a third node start under callgrind; under load it missed the 180 s ready timeout.
    const forked = await measureCost(subject({ WORKERS: '1' }), settings({ windowsPerProcess: 1, nodeFlags: [] }));
    expect(forked.windows).toHaveLength(1);
    expect(forked.windows[0].processCount).toBe(2);
    expect(forked.windows[0].requests).toBe(20);
  }, 300_000);

  it('counts the bare node:http reference, a server that leads no process group', async ({ expect }) => {
    const cleanup = new Cleanup();
    try {
      const reference = referenceSubject({ body: Buffer.from('{"data":[]}'), headers: { 'content-type': 'application/json' } }, cleanup);
      const m = await measureCost(reference, settings({ windowsPerProcess: 2, nodeFlags: DEFAULT_NODE_FLAGS }));
      expect(m.windows.map((w) => [w.requests, w.processCount])).toEqual([[20, 1], [20, 1]]);
      expect(m.perRequest.median).toBeGreaterThan(0);
    } finally {
      await cleanup.run();
    }
  }, 300_000);
});

describe('isStaleConnection', () => {
  it('tells a connection closed under a request from an answer the server gave', () => {
    expect(isStaleConnection(new Error('request 3 of 200: read ECONNRESET'))).toBe(true);
    expect(isStaleConnection(new Error('request 1 of 200: socket hang up'))).toBe(true);
    expect(isStaleConnection(new Error('request 1 of 200: GET /search answered 503: {"error":"overloaded"}'))).toBe(false);
    expect(isStaleConnection(new Error('request 9 of 200: GET /search: no answer within 60 s'))).toBe(false);
  });
});
