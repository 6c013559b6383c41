import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childBuildArgs, serveDirectory, type StaticServer } from './serve.ts';
import { writeTestDatabase } from './test-fixtures/bench-db.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));

describe('serveDirectory', () => {
  let dir: string;
  let server: StaticServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'book-serve-'));
    mkdirSync(join(dir, 'site', 'server'), { recursive: true });
    writeFileSync(join(dir, 'site', 'index.html'), '<html><body>home</body></html>');
    writeFileSync(join(dir, 'site', 'server', '00-a.html'), '<html><body>a</body></html>');
    writeFileSync(join(dir, 'secret.txt'), 'SECRET-CONTENT');
    server = await serveDirectory(join(dir, 'site'), { port: 0, liveReload: true });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves files with their type, the index of a folder, and 404 for the rest', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(new URL('server/00-a.html', server.url));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const body = await page.text();
    expect(body).toContain('<body>a');
    expect(body).toContain('EventSource'); // live reload, dev server only
    expect(await (await fetch(server.url)).text()).toContain('home');
    expect((await fetch(new URL('nope.html', server.url))).status).toBe(404);
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
  });

  it('never serves a file outside its folder', async () => {
    const response = await fetch(`${server.url}..%2fsecret.txt`);
    expect([403, 404]).toContain(response.status);
    expect(await response.text()).not.toContain('SECRET-CONTENT');
  });
});

describe('childBuildArgs', () => {
  it('drops --watch and --port and builds in preview mode', () => {
    expect(childBuildArgs(['--watch', '--port', '9000', '--db', 'x.sqlite'])).toEqual(['--db', 'x.sqlite', '--keep-going']);
    expect(childBuildArgs(['--port=1', '--watch', '--keep-going'])).toEqual(['--keep-going']);
  });
});

describe('npm run book:dev (--watch)', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'book-watch-'));
    mkdirSync(join(dir, 'book', 'b'), { recursive: true });
    mkdirSync(join(dir, 'data'));
    await writeTestDatabase(join(dir, 'data'));
    writeFileSync(join(dir, 'book', 'b', '00-a.md'), '# First version\n');
  });
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  // Through npm, as a user starts it: npm must hand SIGTERM to the generator itself (the
  // script execs one node process; no shell or tsx parent in between that could drop it).
  it('prints its URL, serves the book and rebuilds it when a page changes', async () => {
    const paths = ['--book-dir', join(dir, 'book'), '--db', join(dir, 'data', 'bench.sqlite'), '--out', join(dir, 'site')];
    child = spawn('npm', ['--prefix', REPO, 'run', 'book:dev', '--', '--port', '0', ...paths], { cwd: dir });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    const url = await waitFor(() => /serving \S+ at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1], () => output);
    const page = new URL('b/00-a.html', url);
    await waitFor(async () => ((await fetch(page)).status === 200 ? true : undefined), () => output);
    expect(await (await fetch(page)).text()).toContain('First version');

    writeFileSync(join(dir, 'book', 'b', '00-a.md'), '# Second version\n');
    await waitFor(async () => ((await (await fetch(page)).text()).includes('Second version') ? true : undefined), () => output);

    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child?.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
  }, 90_000);
});

/** Polls until `probe` gives a value; fails with the process output after 60 s. */
async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, output: () => string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out; output so far:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
