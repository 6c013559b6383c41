import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { startLimitServer, type LimitServer } from './limit-server.ts';
import { driveOpenLoop } from './open-loop.ts';
import { runOpenLoop } from './open-loop-thread.ts';
import { refusingUrl } from './test-support.ts';

let server: LimitServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('runOpenLoop', () => {
  it('refuses a non-local target and a bad schedule before sending anything', async () => {
    await expect(runOpenLoop({ url: 'http://10.0.0.7:80', paths: ['/'], phases: [{ rate: 1, seconds: 1 }] })).rejects.toThrow(/refusing to send load/);
    await expect(runOpenLoop({ url: 'http://127.0.0.1:8080', paths: ['/'], phases: [{ rate: 0, seconds: 1 }] })).rejects.toThrow(/rate must be a positive integer/);
  });

  it('offers exactly rate × seconds, each second, and every request ends in one of the counts', async () => {
    server = await startLimitServer({ delayMs: 5, limit: 1000 });
    const seen: number[] = [];
    const result = await runOpenLoop({ url: server.url, paths: ['/a', '/b'], phases: [{ rate: 40, seconds: 2 }] }, (second) => seen.push(second.second));
    expect(result.totals.offered).toBe(80);
    expect(result.seconds.slice(0, 2).map((second) => second.offered)).toEqual([40, 40]);
    expect(result.totals.completed + result.totals.rejected + result.totals.failed + result.totals.unfinished).toBe(80);
    expect(result.totals.completed + result.warmUpRequests).toBe(server.served());
    expect(result.ok).toBe(true);
    expect(seen).toEqual(result.seconds.map((second) => second.second));
    expect(result.seconds.at(-1)?.inFlight).toBe(0);
    expect(result.tool.name).toBe('undici');
    expect(result.cpuSeconds).toBeGreaterThan(0);
  });

  it('ends with its last answer after the schedule: the drain second is closed then, before its end, and keeps that answer', async () => {
    // 300 ms an answer: the last send (900 ms) is answered at about 1,200 ms, inside second 1, the drain.
    server = await startLimitServer({ delayMs: 300, limit: 1000 });
    const result = await runOpenLoop({ url: server.url, paths: ['/'], phases: [{ rate: 10, seconds: 1 }] });
    expect(result.totals.completed).toBe(10);
    const drain = result.seconds.at(-1)!;
    expect(drain).toMatchObject({ second: 1, phaseIndex: null, inFlight: 0 });
    expect(drain.completed).toBeGreaterThan(0);
    expect(result.seconds.reduce((sum, second) => sum + second.completed, 0)).toBe(10);
    // Closed at the last answer, not at the second's end (2 s): the run ended inside its drain second.
    expect(result.wallSeconds).toBeLessThan(result.seconds.length);
  });

  it('keeps offering at 3× what a server limited to N in flight can take, and sees it reject', async () => {
    // capacity = limit / delay = 2 / 0.1 s = 20 req/s; offered 60 req/s needs ~6 in flight
    server = await startLimitServer({ delayMs: 100, limit: 2 });
    const result = await runOpenLoop({ url: server.url, paths: ['/'], phases: [{ rate: 60, seconds: 2 }] });
    expect(result.totals.offered).toBe(120);
    expect(result.totals.rejected).toBeGreaterThan(0);
    expect(result.totals.completed + result.totals.rejected + result.warmUpRequests).toBe(server.served() + server.rejected());
    expect(server.maxInFlight()).toBe(2);
  });

  it('measures from the intended send time: requests queued behind one slow connection show their wait', async () => {
    // One connection, 100 ms per answer, 20 sends in the first second: the 20th, intended at
    // 950 ms, cannot be answered before 20 × 100 ms = 2000 ms, so its latency is ≥ 1050 ms
    // although its own round trip took 100 ms (a closed-loop tool would report ~100 ms).
    server = await startLimitServer({ delayMs: 100, limit: 1000 });
    const result = await runOpenLoop({ url: server.url, paths: ['/'], phases: [{ rate: 20, seconds: 1 }], connections: 1 });
    expect(result.totals.completed).toBe(20);
    const worst = Math.max(...result.seconds.map((second) => second.p99LatencyUs ?? 0));
    expect(worst).toBeGreaterThanOrEqual(1_050_000);
  });

  it('fails a request that waited for a connection past its timeout, without sending it', async () => {
    // One connection, ≥ 300 ms per answer, 10 sends in one second, 0.5 s timeout: a request must
    // go out by intended + 500 ms, and the sends intended up to 900 ms are all due by 1400 ms, so
    // at most 5 connection turns (at ≥ 0, 300, 600, 900, 1200 ms) can serve them.
    server = await startLimitServer({ delayMs: 300, limit: 1000 });
    const result = await runOpenLoop({ url: server.url, paths: ['/'], phases: [{ rate: 10, seconds: 1 }], connections: 1, timeoutSeconds: 0.5 });
    expect(result.warmUpRequests).toBe(1);
    expect(result.totals.completed + 1).toBe(server.served());
    expect(result.totals.failed).toBeGreaterThanOrEqual(5);
    expect(result.totals.completed + result.totals.failed).toBe(10);
  });

  it('flags the seconds in which the generator itself could not send on time', async () => {
    const limitServer = await startLimitServer({ delayMs: 1, limit: 1000 });
    server = limitServer;
    // Block the driving thread's event loop for 300 ms early in the first second: sends due then
    // go out late. driveOpenLoop drives this thread (runOpenLoop's would not be held: test below).
    // Armed by the first counted answer (the run's clock has started), not by a timer from the
    // call: the uncounted warm-up before the clock can itself take longer on a loaded machine.
    const warmUp = 16; // one uncounted GET on each of the first 16 connections
    const watch = setInterval(() => {
      if (limitServer.served() <= warmUp) return;
      clearInterval(watch);
      const until = Date.now() + 300;
      while (Date.now() < until) { /* busy: the generator's own CPU is taken */ }
    }, 5);
    const result = await driveOpenLoop({ url: limitServer.url, paths: ['/'], phases: [{ rate: 50, seconds: 2 }], lagToleranceMs: 50 });
    clearInterval(watch);
    expect(result.warmUpRequests).toBe(warmUp);
    expect(result.generatorKeptUp).toBe(false);
    expect(result.behindSeconds).toContain(0);
    expect(result.seconds[0]?.maxSendLagUs).toBeGreaterThanOrEqual(200_000);
    expect(result.totals.offered).toBe(100); // late, but never dropped
  });

  it('counts refused connections as failures and fails a run with nothing served', async () => {
    const result = await runOpenLoop({ url: await refusingUrl(), paths: ['/'], phases: [{ rate: 10, seconds: 1 }] });
    expect(result.ok).toBe(false);
    expect(result.totals.failed).toBe(10);
    expect(result.failure).toMatch(/no request was served \(10 offered: 0 rejected, 10 failed/);
  });

  it('sends the next waiting request after a refused connection has been cleaned up (a server stopped mid-run)', async () => {
    // One connection, many waiting: each refused connect hands its client to the next request.
    // Dispatching it inside undici's error callback broke undici's own bookkeeping (an assertion
    // that killed the process when a bench was interrupted mid-step).
    const result = await runOpenLoop({ url: await refusingUrl(), paths: ['/'], phases: [{ rate: 50, seconds: 1 }], connections: 1 });
    expect(result.totals.failed).toBe(50);
    expect(result.ok).toBe(false);
  });

  it('sends on a thread of its own: a bench thread held still for 600 ms delays no send', async () => {
    // The server in a process of its own, so holding this thread holds only the bench.
    const child: ChildProcess = spawn(process.execPath, ['-e', "const s = require('node:http').createServer((q, r) => r.end('ok')); s.listen(0, '127.0.0.1', () => console.log(s.address().port))"], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [port] = (await once(child.stdout!, 'data')) as [Buffer];
      const hold = setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600), 500);
      // A send 600 ms late would be behind; the tolerance leaves the thread 400 ms of its own slack.
      const result = await runOpenLoop({ url: `http://127.0.0.1:${String(port).trim()}`, paths: ['/'], phases: [{ rate: 50, seconds: 2 }], lagToleranceMs: 400 });
      clearTimeout(hold);
      expect(result.totals.completed).toBe(100);
      expect(result.generatorKeptUp).toBe(true);
      expect(Math.max(...result.seconds.map((second) => second.maxSendLagUs))).toBeLessThan(400_000);
    } finally {
      child.kill();
    }
  });

  it('throws the error of a callback once the run has ended, after every second was offered to it', async () => {
    server = await startLimitServer({ delayMs: 1, limit: 1000 });
    const seen: number[] = [];
    const run = runOpenLoop({ url: server.url, paths: ['/'], phases: [{ rate: 10, seconds: 2 }] }, (second) => {
      seen.push(second.second);
      if (second.second === 0) throw new Error('a callback failed');
    });
    await expect(run).rejects.toThrow('a callback failed');
    expect(seen.slice(0, 2)).toEqual([0, 1]);
  });
});
