import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TINY_SERVER, tinyContract } from '../testing/tiny-repo.ts';
import { assertPortFree, expandStart, freePort, prepareTree, readContract, startServer, type ChapterContract } from './contract.ts';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
function temp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

function tree(contract: object | string | null): string {
  const dir = temp('bench-contract-');
  mkdirSync(join(dir, 'server'));
  writeFileSync(join(dir, 'server', 'tiny.mjs'), TINY_SERVER);
  if (contract !== null) writeFileSync(join(dir, 'server', 'chapter.json'), typeof contract === 'string' ? contract : JSON.stringify(contract));
  return dir;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('readContract', () => {
  it('reads a valid contract', () => {
    const contract = readContract(tree(tinyContract({ tag: 'v1' })));
    expect(contract.ready).toEqual({ path: '/health', status: 200 });
    expect(contract.start[0]).toBe('node');
  });

  it('names the file when it is missing, not JSON, or incomplete', () => {
    expect(() => readContract(tree(null))).toThrow(/chapter\.json is missing/);
    expect(() => readContract(tree('{nope'))).toThrow(/chapter\.json: not valid JSON/);
    expect(() => readContract(tree({ contract: 1, prepare: [], build: [], start: 'node x', ready: { path: '/h', status: 200 }, env: {} }))).toThrow(/"start" must be an array/);
    expect(() => readContract(tree({ ...tinyContract({ tag: 'v1' }), contract: 2 }))).toThrow(/"contract" must be 1/);
    expect(() => readContract(tree({ ...tinyContract({ tag: 'v1' }), ready: { path: 'health', status: 200 } }))).toThrow(/"ready"/);
  });
});

describe('the metrics side port in the contract', () => {
  const base = tinyContract({ tag: 'v1' }) as ChapterContract;

  it('reads "metrics" with a start command passing {metricsPort}; an older contract has none', () => {
    expect(readContract(tree(tinyContract({ tag: 'v7', metrics: true }))).metrics).toEqual({ path: '/metrics' });
    expect(readContract(tree(base)).metrics).toBeUndefined();
  });

  it('refuses "metrics" without {metricsPort}, {metricsPort} without "metrics", and a bad path', () => {
    expect(() => readContract(tree({ ...base, metrics: { path: '/metrics' } }))).toThrow(/"metrics" is set but "start" does not pass the \{metricsPort\} placeholder/);
    expect(() => readContract(tree({ ...base, start: [...base.start, '--metrics-port', '{metricsPort}'] }))).toThrow(/passes \{metricsPort\} but there is no "metrics"/);
    expect(() => readContract(tree({ ...base, start: [...base.start, '--metrics-port', '{metricsPort}'], metrics: { path: 'metrics' } }))).toThrow(/"metrics" must be \{"path": "\/…"\}/);
  });

  it('expands every placeholder with one function, and refuses {metricsPort} without a port', () => {
    const values = { port: 8080, metricsPort: 9464, providerUrl: 'http://127.0.0.1:9', dataDir: '/tmp/d' };
    expect(expandStart(['s', '--port={port}', '--metrics-port', '{metricsPort}', '{providerUrl}', '{dataDir}', '{other}'], values)).toEqual(['s', '--port=8080', '--metrics-port', '9464', 'http://127.0.0.1:9', '/tmp/d', '{other}']);
    expect(() => expandStart(['{metricsPort}'], { ...values, metricsPort: null })).toThrow(/no metrics port was chosen/);
  });

  it('starts the server with a free metrics port of its own and knows the metrics URL; none for an older chapter', async () => {
    const contract = readContract(tree(tinyContract({ tag: 'v7', metrics: true })));
    const dir = tree(contract);
    const server = await startServer(dir, contract, { providerUrl: 'http://127.0.0.1:9', dataDir: dataDir() });
    try {
      expect(server.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(new URL(server.metricsUrl!).port).not.toBe(String(server.port));
      await fetch(`${server.url}/search?x=1`).then((r) => r.arrayBuffer());
      const metrics = await fetch(server.metricsUrl!);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/^http_requests_total\{route="\/search",status="200"\} 1$/m);
    } finally {
      await server.stop();
    }
    const older = tinyContract({ tag: 'v6' }) as ChapterContract;
    const plain = await startServer(tree(older), older, { providerUrl: 'http://127.0.0.1:9', dataDir: dataDir() });
    expect(plain.metricsUrl).toBeNull();
    await plain.stop();
  });
});

describe('prepareTree', () => {
  // The prepare command counts its runs in a file outside the tree and creates node_modules.
  const counter = join(temp('bench-count-'), 'count');
  const prepare = ['node', '-e', `const fs=require('fs');fs.appendFileSync(${JSON.stringify(counter)},'x');fs.mkdirSync('node_modules/dep',{recursive:true});fs.writeFileSync('node_modules/dep/index.js','ok')`];

  it('installs once per lockfile and links the cached install into later trees', async () => {
    const cacheDir = temp('bench-cache-');
    const contract = { ...tinyContract({ tag: 'v1', prepare, build: ['node', '-e', "require('fs').writeFileSync('built','yes')"] }) } as ChapterContract;
    const first = tree(contract);
    writeFileSync(join(first, 'package-lock.json'), '{"lock":1}');
    const a = await prepareTree(first, contract, { cacheDir });
    expect(a.cacheHit).toBe(false);
    expect(lstatSync(join(first, 'node_modules')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(first, 'node_modules', 'dep', 'index.js'), 'utf8')).toBe('ok');
    expect(readFileSync(join(first, 'built'), 'utf8')).toBe('yes');

    const second = tree(contract);
    writeFileSync(join(second, 'package-lock.json'), '{"lock":1}');
    const b = await prepareTree(second, contract, { cacheDir });
    expect(b.cacheHit).toBe(true);
    expect(readFileSync(join(second, 'node_modules', 'dep', 'index.js'), 'utf8')).toBe('ok');
    expect(readFileSync(join(second, 'built'), 'utf8')).toBe('yes');
    expect(readFileSync(counter, 'utf8')).toBe('x');

    const third = tree(contract);
    writeFileSync(join(third, 'package-lock.json'), '{"lock":2}');
    expect((await prepareTree(third, contract, { cacheDir })).cacheHit).toBe(false);
    expect(readFileSync(counter, 'utf8')).toBe('xx');
  });

  it('fails with the output of a failing build', async () => {
    const contract = tinyContract({ tag: 'v1', build: ['node', '-e', "console.error('syntax error in src/x.ts'); process.exit(2)"] }) as ChapterContract;
    await expect(prepareTree(tree(contract), contract, { cacheDir: temp('bench-cache-') })).rejects.toThrow(/build command .*failed \(exit 2\)[\s\S]*syntax error in src\/x\.ts/);
  });
});

const dataDir = () => temp('bench-data-');

describe('startServer', () => {
  it('starts on a free port, answers once ready, and stops', async () => {
    const contract = tinyContract({ tag: 'v1' }) as ChapterContract;
    const server = await startServer(tree(contract), contract, { providerUrl: 'http://127.0.0.1:9', dataDir: dataDir() });
    const response = await fetch(`${server.url}/search?starts_at=2021-01-01`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { events: [{ id: 'x', title: 'v1' }] }, error: null });
    await server.stop();
    expect(alive(server.pid)).toBe(false);
  });

  it('reports the stderr tail of a server that fails to start, and leaves no process', async () => {
    const contract = tinyContract({ tag: 'v1', env: { TINY_FAIL_MESSAGE: 'cannot open data dir: EACCES' } }) as ChapterContract;
    const error = await startServer(tree(contract), contract, { providerUrl: 'http://127.0.0.1:9', dataDir: dataDir() }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/exited \(code 3\) before it was ready[\s\S]*cannot open data dir: EACCES/);
  });

  it('refuses an explicitly given port that is busy, clearly', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const contract = tinyContract({ tag: 'v1' }) as ChapterContract;
    await expect(startServer(tree(contract), contract, { providerUrl: 'http://127.0.0.1:9', dataDir: dataDir(), port })).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`);
    blocker.close();
  });

  it('gives up on a server that never becomes ready, and kills it', async () => {
    const contract = { ...(tinyContract({ tag: 'v1' }) as ChapterContract), ready: { path: '/health', status: 204 } };
    const port = await freePort();
    const error = (await startServer(tree(contract), contract, { providerUrl: 'http://127.0.0.1:9', dataDir: dataDir(), port, readyTimeoutMs: 1500 }).catch((e: Error) => e)) as Error;
    expect(error.message).toMatch(/did not answer 204 on .*\/health within 1.5 s \(last: status 200\)/);
    await expect(assertPortFree(port)).resolves.toBeUndefined(); // the server was killed: its port is free again
  });
});
