/**
 * A temporary git repository whose commits hold a TINY server that honours the chapter
 * contract and does a fixed amount of CPU work per request — so a commit can be made
 * a known amount slower. Used by the gate's test and by trials.ts. Real git, real
 * processes, nothing mocked.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Busy loop iterations per request for the base commit: about 1 ms of one core on this
 * kind of machine (~21 ns per iteration), so the work, not HTTP parsing, dominates a request.
 */
export const BASE_ITERATIONS = 45_000;

/** The server: answers /health at once, every other GET after `iterations` of busy work. */
const WORK_SERVER = `
import http from 'node:http';
import { readFileSync } from 'node:fs';
const args = process.argv.slice(2);
const option = (name) => args[args.indexOf(name) + 1];
const { iterations } = JSON.parse(readFileSync(new URL('./work.json', import.meta.url), 'utf8'));
function work(n) {
  let x = 0;
  for (let i = 0; i < n; i++) x = (x + Math.sqrt(i * 7 + x)) % 1e9;
  return x;
}
const server = http.createServer((req, res) => {
  if (req.url === '/health') { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('ok'); return; }
  const body = JSON.stringify({ data: { events: [], work: work(iterations) }, error: null });
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(body);
});
// No idle timeout on the cost count's kept-alive connection: under callgrind on a loaded machine
// node's default 5 s fired while the next warm-up request was already waiting ("request 2 of 40:
// socket hang up", a full run beside other work), as for measure.test's server.
server.keepAliveTimeout = 0;
server.listen(Number(option('--port')), '127.0.0.1');
`;

const CONTRACT = {
  contract: 1,
  prepare: ['node', '-e', '0'],
  build: ['node', '-e', '0'],
  start: ['node', 'server/work-server.mjs', '--port', '{port}', '--provider-url', '{providerUrl}', '--data-dir', '{dataDir}'],
  ready: { path: '/health', status: 200 },
  env: {},
};

export interface WorkRepo {
  dir: string;
  /** Commit hashes, in the order of the `iterations` given. */
  commits: string[];
  remove(): void;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'Gate Test', GIT_AUTHOR_EMAIL: 'gate@example.org', GIT_COMMITTER_NAME: 'Gate Test', GIT_COMMITTER_EMAIL: 'gate@example.org' },
  }).trim();
}

/**
 * One commit per entry, each setting the server's per-request iterations; an entry
 * equal to the previous one makes an empty commit (same tree, different commit);
 * 'broken' commits a server that crashes at start (its work.json is not JSON).
 */
export function createWorkRepo(iterations: Array<number | 'broken'>): WorkRepo {
  const dir = mkdtempSync(join(tmpdir(), 'gate-work-repo-'));
  git(dir, 'init', '-q', '-b', 'main');
  mkdirSync(join(dir, 'server'), { recursive: true });
  writeFileSync(join(dir, '.gitignore'), '.cache/\n');
  writeFileSync(join(dir, 'server', 'work-server.mjs'), WORK_SERVER);
  writeFileSync(join(dir, 'server', 'chapter.json'), JSON.stringify(CONTRACT, null, 2));
  const commits: string[] = [];
  iterations.forEach((n, i) => {
    writeFileSync(join(dir, 'server', 'work.json'), n === 'broken' ? '{ not json' : JSON.stringify({ iterations: n }));
    git(dir, 'add', '-A');
    const message = n === 'broken' ? 'a server that crashes at start' : `${n} iterations of work per request`;
    git(dir, 'commit', '-q', '--allow-empty', '-m', `commit ${i + 1}: ${message}`);
    commits.push(git(dir, 'rev-parse', 'HEAD'));
  });
  return { dir, commits, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
