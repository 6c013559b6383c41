/**
 * Test support: a temporary git repository holding a TINY server that honours the
 * chapter contract (cheap prepare/build, a node:http server answering /health and
 * /search), with tagged commits and its own data/chapters.json. Real git, real
 * processes — nothing mocked.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TINY_SERVER = `
import cluster from 'node:cluster';
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import { Worker } from 'node:worker_threads';
const args = process.argv.slice(2);
const option = (name) => args[args.indexOf(name) + 1];
if (process.env.TINY_FAIL_MESSAGE) {
  console.error(process.env.TINY_FAIL_MESSAGE);
  process.exit(3);
}
// Like the chapter servers: SIGTERM ends through process.exit (so a --cpu-prof profile is written).
// TINY_WORKER_EXIT_DELAY_MS: a cluster worker's handler blocks that long first (a worker slower than its
// primary; blocking, so that the primary's exit cannot end it sooner through the worker's 'disconnect').
const exitDelay = Number(process.env.TINY_WORKER_EXIT_DELAY_MS || 0);
process.on('SIGTERM', () => {
  if (cluster.isWorker && exitDelay > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, exitDelay);
  process.exit(0);
});
// TINY_EXIT_FILE: each process appends its pid there when it exits through process.exit (not when killed).
if (process.env.TINY_EXIT_FILE) process.on('exit', () => appendFileSync(process.env.TINY_EXIT_FILE, process.pid + '\\n'));
// TINY_WORKERS=n: a node:cluster primary forking n workers that share the port.
const workers = Number(process.env.TINY_WORKERS || 0);
if (workers > 0 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
} else {
  // TINY_BUSY: a thread that never idles, as a compression pool still at work between slices (chapter 14's).
  if (process.env.TINY_BUSY) new Worker('for (;;) {}', { eval: true }).unref();
  const body = JSON.stringify({ data: { events: [{ id: 'x', title: process.env.TINY_LABEL || 'tiny' }] }, error: null });
  const served = { '/search': 0, '/health': 0 };
  http.createServer((req, res) => {
    if (req.url === '/health') { served['/health']++; res.writeHead(200, { 'content-type': 'text/plain' }); res.end('ok'); return; }
    if (req.url.startsWith('/search')) { served['/search']++; res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }); res.end(body); return; }
    res.writeHead(404); res.end();
  }).listen(Number(option('--port')), '127.0.0.1');
  // --metrics-port: the chapter 7 side port, a few metrics of the contract in the Prometheus text format.
  if (args.includes('--metrics-port')) {
    http.createServer((req, res) => {
      if (req.url !== '/metrics') { res.writeHead(404, { 'content-type': 'application/json' }); res.end(JSON.stringify({ data: null, error: { code: 'not_found', message: 'not found' } })); return; }
      const lines = ['# HELP http_requests_total HTTP requests answered', '# TYPE http_requests_total counter'];
      for (const [route, n] of Object.entries(served)) if (n > 0) lines.push('http_requests_total{route="' + route + '",status="200"} ' + n);
      lines.push('# HELP http_requests_in_flight Requests being served', '# TYPE http_requests_in_flight gauge', 'http_requests_in_flight 0');
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(lines.join('\\n') + '\\n');
    }).listen(Number(option('--metrics-port')), '127.0.0.1');
  }
}
`;

export interface TinyChapter {
  tag: string;
  /** Extra environment in the contract (e.g. TINY_FAIL_MESSAGE to make the server fail). */
  env?: Record<string, string>;
  /** Override of the contract's prepare command. */
  prepare?: string[];
  build?: string[];
  /** Override of the contract's start command (must pass {port}). */
  start?: string[];
  /** Chapter 7 on: a metrics side port ({metricsPort}, contract "metrics"). */
  metrics?: boolean;
  /** Experiments of the chapter in data/chapters.json. */
  experiments?: object[];
}

export function tinyContract(chapter: TinyChapter): object {
  const start = chapter.start ?? ['node', 'server/tiny.mjs', '--port', '{port}', '--provider-url', '{providerUrl}', '--data-dir', '{dataDir}'];
  return {
    contract: 1,
    prepare: chapter.prepare ?? ['node', '-e', '0'],
    build: chapter.build ?? ['node', '-e', '0'],
    start: chapter.metrics ? [...start, '--metrics-port', '{metricsPort}'] : start,
    ready: { path: '/health', status: 200 },
    env: { TINY_LABEL: chapter.tag, ...(chapter.env ?? {}) },
    ...(chapter.metrics ? { metrics: { path: '/metrics' } } : {}),
  };
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 't@example.org' },
  }).trim();
}

/** Creates the repository; one commit + tag per chapter, then data/chapters.json committed on top. */
export function createTinyRepo(chapters: TinyChapter[]): { dir: string; commits: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'bench-tiny-repo-'));
  git(dir, 'init', '-q', '-b', 'main');
  mkdirSync(join(dir, 'server'), { recursive: true });
  writeFileSync(join(dir, 'server', 'tiny.mjs'), TINY_SERVER);
  writeFileSync(join(dir, '.gitignore'), '.cache/\n');
  const commits: Record<string, string> = {};
  for (const chapter of chapters) {
    writeFileSync(join(dir, 'server', 'chapter.json'), JSON.stringify(tinyContract(chapter), null, 2));
    writeFileSync(join(dir, 'server', 'version.txt'), chapter.tag);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', `chapter ${chapter.tag}`);
    git(dir, 'tag', chapter.tag);
    commits[chapter.tag] = git(dir, 'rev-parse', 'HEAD');
  }
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(
    join(dir, 'data', 'chapters.json'),
    JSON.stringify({
      chapters: chapters.map((c, i) => ({
        number: i + 1, tag: c.tag, commit: commits[c.tag], title: `Chapter ${c.tag}`, technique: 'tiny', summary: 'a tiny test server',
        ...(c.experiments ? { experiments: c.experiments } : {}),
      })),
    }, null, 2),
  );
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'chapter list');
  return { dir, commits };
}
