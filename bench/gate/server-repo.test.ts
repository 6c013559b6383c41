import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iterationsForSlowdown } from './calibrate.ts';
import { createServerTrialRepo, EXTRA_WORK_MODULE, extraWorkSource, withExtraWork } from './server-repo.ts';

const CONTRACT = { contract: 1 as const, prepare: [], build: [], start: ['node', 'server/main.mjs', '--port', '{port}'], ready: { path: '/health', status: 200 }, env: {} };
const git = (dir: string, ...args: string[]) =>
  execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } }).trim();

let source: string;
let commit: string;
beforeAll(() => {
  source = mkdtempSync(join(tmpdir(), 'server-repo-test-'));
  git(source, 'init', '-q', '-b', 'main');
  mkdirSync(join(source, 'server'));
  writeFileSync(join(source, 'server', 'chapter.json'), JSON.stringify(CONTRACT));
  writeFileSync(join(source, 'server', 'main.mjs'), "import http from 'node:http';\nhttp.createServer((q, r) => r.end('ok')).listen(0, '127.0.0.1', function () { console.log(this.address().port); });\n");
  git(source, 'add', '-A');
  git(source, 'commit', '-q', '-m', 'a server');
  commit = git(source, 'rev-parse', 'HEAD');
});
afterAll(() => rmSync(source, { recursive: true, force: true }));

describe('trials on the real server', () => {
  it('clones the commit, adds an identical tree and heads that preload the extra work through the chapter contract', () => {
    const repo = createServerTrialRepo(source, commit, [1000, 5000]);
    try {
      expect(repo.base).toBe(commit);
      expect(git(repo.dir, 'rev-parse', `${repo.identical}^{tree}`)).toBe(git(repo.dir, 'rev-parse', `${commit}^{tree}`));
      expect(repo.identical).not.toBe(commit);
      expect(repo.slower).toHaveLength(2);
      const contract = JSON.parse(git(repo.dir, 'show', `${repo.slower[1]}:server/chapter.json`));
      expect(contract.start).toEqual(['node', '--import', `./${EXTRA_WORK_MODULE}`, 'server/main.mjs', '--port', '{port}']);
      expect(git(repo.dir, 'show', `${repo.slower[1]}:${EXTRA_WORK_MODULE}`)).toContain('i < 5000;');
      expect(git(repo.dir, 'show', `${repo.slower[0]}:${EXTRA_WORK_MODULE}`)).toContain('i < 1000;');
      // The source repository is left as it was.
      expect(git(source, 'rev-parse', 'HEAD')).toBe(commit);
      expect(JSON.parse(readFileSync(join(source, 'server', 'chapter.json'), 'utf8')).start[1]).toBe('server/main.mjs');
    } finally {
      repo.remove();
    }
  });

  it("clones the repository named `.` (the trials' default `--repo`) from the working directory", () => {
    const cwd = process.cwd();
    process.chdir(source);
    let repo: ReturnType<typeof createServerTrialRepo>;
    try {
      repo = createServerTrialRepo('.', commit, []);
    } finally {
      process.chdir(cwd);
    }
    try {
      expect(git(repo.dir, 'rev-parse', `${repo.identical}^{tree}`)).toBe(git(source, 'rev-parse', `${commit}^{tree}`));
    } finally {
      repo.remove();
    }
  });

  // Two real servers: node:http (string and Buffer bodies), and one of its own HTTP layer that
  // writes complete answers on the socket, corking a pipelined batch as chapter 16's does.
  const SERVERS = `import http from 'node:http';
import net from 'node:net';
const count = () => String(globalThis.extraWorkReplies);
const viaNode = http.createServer((q, r) => (q.url === '/buffer' ? r.end(Buffer.from(count())) : r.end(count())));
const lean = net.createServer((socket) => socket.on('data', (data) => {
  const requests = data.toString('latin1').split('\\r\\n\\r\\n').filter(Boolean);
  if (requests.length > 1) socket.cork();
  for (const _ of requests) { const body = count(); socket.write(Buffer.from('HTTP/1.1 200 OK\\r\\ncontent-length: ' + body.length + '\\r\\n\\r\\n' + body, 'latin1')); }
  if (requests.length > 1) socket.uncork();
}));
viaNode.listen(0, '127.0.0.1', () => lean.listen(0, '127.0.0.1', () => console.log(viaNode.address().port + ' ' + lean.address().port)));
`;

  it('the preloaded module works once per reply, whether node:http or a layer of its own writes it, and the servers still answer', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'extra-work-'));
    try {
      writeFileSync(join(dir, 'extra-work.mjs'), extraWorkSource(10));
      writeFileSync(join(dir, 'main.mjs'), SERVERS);
      const child = spawn(process.execPath, ['--import', './extra-work.mjs', 'main.mjs'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
      try {
        const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
        const [nodePort, leanPort] = chunk.toString().trim().split(' ').map(Number);
        // Each answer reads the count before its own head is written.
        expect(await (await fetch(`http://127.0.0.1:${nodePort}/`)).text()).toBe('0');
        expect(await (await fetch(`http://127.0.0.1:${nodePort}/buffer`)).text()).toBe('1');
        expect(await (await fetch(`http://127.0.0.1:${leanPort}/`)).text()).toBe('2');
        // Three pipelined requests in one write: three answers in one corked batch, each counted.
        const answers = await pipelined(leanPort, 3);
        expect([...answers.matchAll(/\r\n\r\n(\d+)/g)].map((m) => m[1])).toEqual(['3', '4', '5']);
        expect(await (await fetch(`http://127.0.0.1:${nodePort}/`)).text()).toBe('6');
      } finally {
        child.kill();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a start command that does not run node, and a non-positive amount of work', () => {
    expect(() => withExtraWork({ ...CONTRACT, start: ['npm', 'start'] })).toThrow(/runs `npm`, not node/);
    expect(() => extraWorkSource(0)).toThrow(/positive whole number/);
  });
});

describe('iterationsForSlowdown', () => {
  it('adds c·(1/(1−s) − 1) of work: 100 µs per request, −10% throughput at 1 ns per iteration → 11,111 iterations', () => {
    expect(iterationsForSlowdown(0.1, 100e-6, 1)).toBe(11_111);
    expect(iterationsForSlowdown(0.5, 100e-6, 2)).toBe(50_000);
  });

  it('refuses impossible inputs', () => {
    expect(() => iterationsForSlowdown(1, 1e-4, 1)).toThrow(/between 0 and 1/);
    expect(() => iterationsForSlowdown(0.1, 0, 1)).toThrow(/positive/);
  });
});

/** `n` GET requests written at once on one connection; resolves with everything read once `n` answers came. */
function pipelined(port: number, n: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nhost: x\r\n\r\n'.repeat(n)));
    let text = '';
    socket.on('data', (data) => {
      text += data.toString('latin1');
      if ((text.match(/HTTP\/1\.1 /g) ?? []).length === n) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('error', reject);
  });
}
