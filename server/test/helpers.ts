/**
 * Test helpers: build the server bundle, run it as a real process on an ephemeral port,
 * talk HTTP to it. Nothing here mocks the network.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const SERVER_DIR = path.join(REPO_ROOT, 'server');

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

/** Every file under `dir`, sorted, relative to it. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) => {
      const relative = path.join(prefix, entry.name);
      return entry.isDirectory() ? filesUnder(dir, relative) : [relative];
    })
    .sort();
}

/** What the bundle is made of: the build script, the server's sources, the locked dependencies. */
function bundleKey(script: string): string {
  const hash = createHash('sha256').update(script);
  for (const file of filesUnder(path.join(SERVER_DIR, 'src'))) {
    hash.update(`\0${file}\0`).update(readFileSync(path.join(SERVER_DIR, 'src', file)));
  }
  hash.update(readFileSync(path.join(REPO_ROOT, 'package-lock.json')));
  return hash.digest('hex').slice(0, 16);
}

/**
 * The server bundle built by the workspace's own build script, once per content: test files
 * (and runs) with the same sources share one build, kept in the temp directory under a key of
 * everything it is made of. Built into a private directory and renamed into place, so a file
 * running in parallel never reads a bundle another one is still writing. Returns its path.
 */
export function buildPrivateBundle(): string {
  const pkg = JSON.parse(readFileSync(path.join(SERVER_DIR, 'package.json'), 'utf8')) as { scripts: { build: string } };
  const shared = path.join(os.tmpdir(), `book-server-bundle-${bundleKey(pkg.scripts.build)}`);
  const bundle = path.join(shared, 'server.mjs');
  if (existsSync(bundle)) return bundle;
  const building = tempDir('server-bundle');
  const script = pkg.scripts.build.replace('--outfile=dist/server.mjs', `--outfile=${path.join(building, 'server.mjs')}`);
  if (script === pkg.scripts.build) throw new Error('build script no longer writes dist/server.mjs; update the test helper');
  execFileSync('sh', ['-c', script], {
    cwd: SERVER_DIR,
    env: { ...process.env, PATH: `${path.join(REPO_ROOT, 'node_modules/.bin')}${path.delimiter}${process.env.PATH}` },
    stdio: 'pipe',
  });
  try {
    renameSync(building, shared);
  } catch (error) {
    // Another file built the same bundle first: use theirs, drop ours.
    if (!existsSync(bundle)) throw error;
    rmSync(building, { recursive: true, force: true });
  }
  return bundle;
}

export interface LogLine {
  time: string;
  level: string;
  msg: string;
  [key: string]: unknown;
}

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  logs(): LogLine[];
  /** Raw stderr, including anything that is not a JSON log line. */
  stderr(): string;
  /** Sends the signal and resolves with the exit code (or the signal name). */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

// A failing test must not leave servers behind: kill whatever is still running when the worker exits.
const running = new Set<ChildProcess>();
process.once('exit', () => running.forEach((child) => child.kill('SIGKILL')));

/** Starts `command` (a server start command) whose config says `--port 0`, and waits for its `listening` log line. */
export function startServerProcess(command: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ServerProcess> {
  const child = spawn(command[0], command.slice(1), {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stderr = '';
  const lines: LogLine[] = [];
  let pending = '';
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return new Promise((resolve, reject) => {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderr += chunk;
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) !== -1) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as LogLine;
          lines.push(entry);
          if (entry.msg === 'listening') {
            const port = entry.port as number;
            resolve({
              url: `http://127.0.0.1:${port}`,
              port,
              child,
              logs: () => lines,
              stderr: () => stderr,
              stop: (signal = 'SIGTERM') => {
                if (child.exitCode === null && child.signalCode === null) child.kill(signal);
                return exited;
              },
            });
          }
        } catch {
          // not a log line; kept in stderr
        }
      }
    });
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening:\n${stderr}`)));
  });
}

/** The usual start command for a bundle, with test-friendly defaults. */
export function serverCommand(bundle: string, args: { providerUrl: string; dataDir: string; pollIntervalMs?: number; extra?: string[] }): string[] {
  return [
    process.execPath, bundle,
    '--host', '127.0.0.1', '--port', '0',
    '--provider-url', args.providerUrl,
    '--data-dir', args.dataDir,
    '--poll-interval', String(args.pollIntervalMs ?? 50),
    ...(args.extra ?? []),
  ];
}

/** Polls `condition` until it is truthy. The deadline is a hang guard, not a performance assertion. */
export async function waitFor<T>(what: string, condition: () => T | Promise<T>, deadlineMs = 20_000): Promise<NonNullable<T>> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > until) throw new Error(`gave up waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface JsonResponse {
  status: number;
  contentType: string | null;
  headers: Headers;
  body: any;
}

export async function request(url: string, init?: RequestInit): Promise<JsonResponse> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), headers: res.headers, body: text ? JSON.parse(text) : null };
}

export const SAMPLE_RANGE = 'starts_at=2021-02-01T00:00:00Z&ends_at=2022-07-03T00:00:00Z';

/** The expected answer to SAMPLE_RANGE after sample answers 1, 2, 3 (ids are UUID v5, fixed namespace). */
export const EXPECTED_SAMPLE_EVENTS = [
  { id: '4c405b30-d48c-53f3-b39d-2beead710061', title: 'Pantomima Full', start_date: '2021-02-10', start_time: '20:00:00', end_date: '2021-02-10', end_time: '21:30:00', min_price: 55, max_price: 55 },
  { id: 'a4eaba49-c35e-5b15-a75c-c31b47cf077a', title: 'Camela en concierto', start_date: '2021-06-30', start_time: '21:00:00', end_date: '2021-06-30', end_time: '21:30:00', min_price: 15, max_price: 30 },
  { id: '7c2f3d9d-0658-55d9-a30f-f7862bce4508', title: 'Los Morancos', start_date: '2021-07-31', start_time: '20:00:00', end_date: '2021-07-31', end_time: '21:00:00', min_price: 65, max_price: 75 },
];

/** Sends raw bytes on a fresh TCP connection and resolves with everything the server wrote until it closed. */
export function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.write(bytes);
  });
}

/** Status line and parsed JSON body of a raw HTTP/1.1 answer. */
export function parseRawAnswer(text: string): { status: number; contentType: string | null; body: any } {
  const [head, body] = [text.slice(0, text.indexOf('\r\n\r\n')), text.slice(text.indexOf('\r\n\r\n') + 4)];
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  const contentType = /^content-type: (.*)$/im.exec(head)?.[1] ?? null;
  return { status, contentType, body: body ? JSON.parse(body) : null };
}

/** Prometheus text format: the value of the sample `name{labels}` (labels matched exactly, any order), undefined if absent. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).sort().join(',');
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = (match[2] ?? '').match(/\w+="(?:[^"\\]|\\.)*"/g)?.sort().join(',') ?? '';
    if (have === wanted) return Number(match[3]);
  }
  return undefined;
}

export async function scrape(metricsUrl: string): Promise<{ status: number; contentType: string | null; text: string }> {
  const res = await fetch(metricsUrl);
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

export interface PipelinedAnswer {
  status: number;
  headers: Record<string, string>;
  body: any;
}

/**
 * Writes `paths` as pipelined GETs in ONE write on `socket` (a fresh keep-alive connection when
 * none is given), so the server reads them in one read, in the same loop turn; resolves with
 * the answers in order, the connection left open.
 */
export function pipelined(port: number, paths: readonly string[], socket = net.connect(port, '127.0.0.1')): Promise<{ answers: PipelinedAnswer[]; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    const answers: PipelinedAnswer[] = [];
    const onData = (chunk: Buffer): void => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) break;
        const head = buffer.subarray(0, end).toString('latin1').split('\r\n');
        const headers = Object.fromEntries(head.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        const length = Number(headers['content-length']);
        if (buffer.length < end + 4 + length) break;
        const body = buffer.subarray(end + 4, end + 4 + length).toString('utf8');
        answers.push({ status: Number(head[0].split(' ')[1]), headers, body: JSON.parse(body) });
        buffer = buffer.subarray(end + 4 + length);
      }
      if (answers.length === paths.length) {
        socket.off('data', onData).off('error', reject).off('close', onClose);
        resolve({ answers, socket });
      }
    };
    const onClose = (): void => reject(new Error(`connection closed after ${answers.length} of ${paths.length} answers`));
    socket.on('data', onData).on('error', reject).on('close', onClose);
    socket.write(paths.map((p) => `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`).join(''));
  });
}

/**
 * Stops `pid` with SIGSTOP and returns once the kernel reports it stopped (state `T` in
 * /proc/<pid>/stat). A signal takes effect only when the process next returns to user mode:
 * one busy on the other CPU could still return from epoll_wait with part of what the caller
 * writes next, and read it in a turn of its own (a flaky split of "one turn" in the tests).
 */
export async function stopProcess(pid: number): Promise<void> {
  process.kill(pid, 'SIGSTOP');
  await waitFor(`process ${pid} stopped`, () => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
  });
}

/** Established server-side sockets on `port` with unread bytes in the kernel (Linux /proc/net/tcp). */
function waitingRequests(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1).filter((line) => {
    const fields = line.trim().split(/\s+/);
    return fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '01' && parseInt(fields[4]?.split(':')[1] ?? '0', 16) > 0;
  }).length;
}

/**
 * One GET of `path` on each of `sockets`, all read by the server in one event-loop turn: they
 * are written while the server is stopped (on loopback each write is queued at once, so the
 * server reads them in this order) and it continues once every one waits in its socket's
 * receive queue. The statuses, in the sockets' order.
 */
export async function requestsInOneTurn(server: ServerProcess, sockets: net.Socket[], path: string): Promise<number[]> {
  const pid = server.child.pid!;
  let exchanges: Promise<number>[] = [];
  try {
    await stopProcess(pid);
    exchanges = sockets.map((socket) => pipelined(server.port, [path], socket).then(({ answers }) => answers[0].status));
    await waitFor('every request in the server sockets\' receive queues', () => waitingRequests(server.port) === sockets.length);
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  return Promise.all(exchanges);
}
