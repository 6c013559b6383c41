/**
 * Bringing a server to rest, on real node processes (not under callgrind: the mechanism is
 * node's and /proc's): the preloaded module answers the signal with a collection, and the
 * wait for rest tells an idle process from one whose worker thread keeps computing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { busyBackgroundThreads } from './control.ts';
import { CLOCK_STEP_MS, collectGarbage, restFlags, settleServer } from './rest.ts';

const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A node process running `source` with the rest flags, resolved once it printed "ready" (with what it printed until then). */
async function startNode(source: string, nodeFlags: string[] = []): Promise<{ pid: number; dir: string; printed: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'cost-rest-'));
  dirs.push(dir);
  const child = spawn(process.execPath, [...nodeFlags, ...restFlags(dir), '--input-type=module', '-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let printed = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      if (printed.includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`node exited with ${code}`)));
  });
  return { pid: child.pid!, dir, printed };
}

describe('collectGarbage', () => {
  it('has every process collect its garbage on the signal and waits for its answer, one file per signal', async () => {
    const { pid, dir } = await startNode("setInterval(() => {}, 1000); console.log('ready');");
    const rests = new Map<number, number>();
    await collectGarbage(pid, dir, rests);
    await collectGarbage(pid, dir, rests);
    expect(rests.get(pid)).toBe(2);
    expect([1, 2].map((n) => existsSync(join(dir, `rest.${pid}.${n}`)))).toEqual([true, true]);
  }, 30_000);
});

describe('the sweeping after the collection', () => {
  it('is finished when the rest is: no free space of old space is still waiting to be swept', async () => {
    // Dead objects in old space when the signal comes; --single-threaded as under the count (no
    // sweeper threads, so nothing sweeps between the two listeners). This process's own listener
    // runs right after the preloaded one: forcing the sweep then must free nothing more.
    const source = [
      "import { getHeapCodeStatistics, getHeapSpaceStatistics } from 'node:v8';",
      "const available = () => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_available_size;",
      'let garbage = Array.from({ length: 200000 }, (_, i) => ({ i, text: "x" + i }));',
      'globalThis.gc(); globalThis.gc(); garbage = null;',
      "process.on('SIGUSR2', () => { const before = available(); getHeapCodeStatistics(); console.log('swept ' + before + ' ' + available()); });",
      "setInterval(() => {}, 1000); console.log('ready');",
    ].join('\n');
    const { pid, dir } = await startNode(source, ['--single-threaded']);
    const child = children.at(-1)!;
    const swept = new Promise<number[]>((resolve) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        const match = /swept (\d+) (\d+)/.exec(chunk.toString());
        if (match) resolve([Number(match[1]), Number(match[2])]);
      });
    });
    await collectGarbage(pid, dir, new Map());
    const [before, after] = await swept;
    expect(after).toBeGreaterThan(0); // the garbage freed space
    // All of it freed by the rest already: forcing the sweep frees nothing more. (It may take
    // some: an allocation in between can start a scavenge that promotes into old space.)
    expect(after).toBeLessThanOrEqual(before);
  }, 30_000);
});

describe('the wall clock under the count', () => {
  it('runs until the first rest, then Date.now() stays at that moment while timers go on', async () => {
    const { pid, dir } = await startNode("setInterval(() => console.log('now ' + Date.now()), 200); console.log('ready');");
    const child = children.at(-1)!;
    const nows = (count: number) =>
      new Promise<number[]>((resolve) => {
        const seen: number[] = [];
        const onData = (chunk: Buffer) => {
          for (const match of chunk.toString().matchAll(/now (\d+)/g)) seen.push(Number(match[1]));
          if (seen.length >= count) {
            child.stdout!.off('data', onData);
            resolve(seen.slice(0, count));
          }
        };
        child.stdout!.on('data', onData);
      });
    const before = await nows(3);
    expect(before[2]).toBeGreaterThan(before[0]);
    await collectGarbage(pid, dir, new Map());
    const after = await nows(3);
    expect(new Set(after).size).toBe(1);
    expect(after[0]).toBeGreaterThan(before[2]);
  }, 30_000);
});

describe('the monotonic clock under the count', () => {
  it('advances by one step per read from the start, however long between reads', async () => {
    // Two reads 300 ms apart, then two at once: each one step after the last, whatever the time.
    const source = [
      "import { performance as imported } from 'node:perf_hooks';",
      'const first = performance.now();',
      "setTimeout(() => { console.log('reads ' + JSON.stringify([first, performance.now(), imported.now(), performance.now()])); console.log('ready'); }, 300);",
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const { printed } = await startNode(source);
    const reads = JSON.parse(/reads (\[.*\])/.exec(printed)![1]) as number[];
    const steps = reads.slice(1).map((read, i) => read - reads[i]);
    for (const step of steps) expect(step).toBeCloseTo(CLOCK_STEP_MS, 9);
  }, 30_000);
});

describe('settleServer', () => {
  it('returns once no thread but the main one uses CPU', async () => {
    const { pid } = await startNode("setInterval(() => {}, 1000); console.log('ready');");
    await expect(settleServer(pid, { sampleMs: 50, quietReadings: 3, timeoutMs: 20_000 })).resolves.toBeGreaterThan(0);
  }, 30_000);

  it('names the thread that never rests', async () => {
    const worker = "const { Worker } = await import('node:worker_threads'); new Worker('for (;;) {}', { eval: true }); setTimeout(() => console.log('ready'), 200);";
    const { pid } = await startNode(worker);
    await expect(settleServer(pid, { sampleMs: 50, quietReadings: 3, timeoutMs: 1_000 })).rejects.toThrow(new RegExp(`did not come to rest within 1 s: thread\\(s\\) ${pid}/\\d+`));
  }, 30_000);
});

describe('busyBackgroundThreads', () => {
  it('lists the threads whose CPU time grew or that wait for a core, never a main thread (tid = pid)', () => {
    const at = (cpuNs: number, runnable = false) => ({ cpuNs, runnable });
    const before = new Map([['10/10', at(5)], ['10/11', at(7)], ['10/12', at(1)], ['10/14', at(2)], ['20/20', at(0)]]);
    const after = new Map([['10/10', at(9, true)], ['10/11', at(7)], ['10/12', at(3)], ['10/13', at(1)], ['10/14', at(2, true)], ['20/20', at(4)]]);
    expect(busyBackgroundThreads(before, after)).toEqual(['10/12', '10/13', '10/14']);
  });
});
