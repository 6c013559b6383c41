/**
 * The second yardstick: nginx serving the exact bytes and headers of the hot answer from a
 * file, one worker, pinned like the chapters. Where node:http says "as fast as Node.js can
 * serve these bytes", nginx says how fast this machine can: a C server with a file cache,
 * no per-request allocation to speak of, and one system call per answer.
 *
 * Where nginx is not installed the bench says so and runs without it (`locateNginx` → null).
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../subject/contract.ts';
import { findExecutable, isExecutable } from '../proc/executable.ts';
import type { ReferenceServer } from './reference-server.ts';
import type { ReferenceSource } from './from-answer.ts';

export const NGINX_PACKAGE = 'nginx-light';

/**
 * The settings that matter for one small file served over and over, as tried on this kind of
 * machine (issue 19, nginx 1.22, 1 worker, a 15.5 KB answer, wrk -c32 on the other core):
 * `sendfile off; open_file_cache max=100; output_buffers 1 64k` was the fastest combination;
 * `tcp_nopush on` cost 25% (it holds the last partial packet back). Keep-alive requests are
 * unlimited, as node:http's are (nginx closes a connection after 1,000 by default, which
 * would make wrk reconnect and measure the handshake).
 */
export const NGINX_SETTINGS = {
  worker_processes: 1,
  worker_connections: 4096,
  sendfile: 'off',
  tcp_nopush: 'off',
  open_file_cache: 'max=100',
  output_buffers: '1 64k',
  keepalive_requests: 1_000_000_000,
  keepalive_timeout: '75s',
  access_log: 'off',
  etag: 'off',
  max_ranges: 0,
  server_tokens: 'off',
  provenance: 'issue 19: sendfile off + open_file_cache max=100 + output_buffers 1 64k fastest for a 15.5 KB file; tcp_nopush on cost 25%',
} as const;

/** Temp-file directives per module that nginx builds in unless told `--without-http_<module>_module`. */
const TEMP_PATH_MODULES = ['proxy', 'fastcgi', 'uwsgi', 'scgi'] as const;

export interface NginxInstall { path: string; version: string; configureArguments: string }

/** nginx on PATH or in /usr/sbin (off a user's PATH on Debian), with its version; null when absent. */
export function locateNginx(pathVariable = process.env.PATH ?? '', fallbacks = ['/usr/sbin/nginx']): NginxInstall | null {
  const path = findExecutable('nginx', pathVariable) ?? fallbacks.find(isExecutable) ?? null;
  if (path === null) return null;
  const probe = spawnSync(path, ['-V'], { encoding: 'utf8', timeout: 10_000 });
  const text = `${probe.stderr ?? ''}${probe.stdout ?? ''}`;
  const version = /nginx version: nginx\/(\S+)/.exec(text)?.[1];
  if (probe.status !== 0 || version === undefined) return null;
  return { path, version, configureArguments: /configure arguments: (.*)/.exec(text)?.[1] ?? '' };
}

/** A header value as an nginx string: quoted; a `$` would be a variable, so it is refused. */
function nginxString(value: string, what: string): string {
  if (value.includes('$')) throw new Error(`nginx reference: ${what} contains "$", which nginx would read as a variable: ${value}`);
  if (/[\r\n]/.test(value)) throw new Error(`nginx reference: ${what} contains a line break`);
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export interface NginxConfigInput {
  dir: string;
  port: number;
  headers: Record<string, string>;
  /** `nginx -V`'s configure arguments: which temp-path directives exist in this build. */
  configureArguments: string;
  /** Set when nginx runs as root: its worker then runs as this user, so it can read the answer's file. */
  user: string | null;
}

/**
 * The configuration (pure): every GET answers the file `answer` with the answer's headers;
 * nginx's own Last-Modified, ETag and Accept-Ranges left out, so the bytes on the wire differ
 * from node:http's only by `Server: nginx` and the order of the headers.
 */
export function nginxConfig(input: NginxConfigInput): string {
  const s = NGINX_SETTINGS;
  const contentType = Object.entries(input.headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? 'application/octet-stream';
  const added = Object.entries(input.headers)
    .filter(([name]) => name.toLowerCase() !== 'content-type')
    .map(([name, value]) => {
      if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) throw new Error(`nginx reference: header name ${JSON.stringify(name)} is not a token`);
      return `      add_header ${name} ${nginxString(value, `header ${name}`)} always;`;
    });
  const tempPaths = TEMP_PATH_MODULES.filter((m) => !input.configureArguments.includes(`--without-http_${m}_module`)).map((m) => `  ${m}_temp_path ${join(input.dir, `${m}-temp`)};`);
  return [
    ...(input.user ? [`user ${input.user};`] : []),
    'daemon off;',
    `worker_processes ${s.worker_processes};`,
    `pid ${join(input.dir, 'nginx.pid')};`,
    `error_log ${join(input.dir, 'error.log')} warn;`,
    `events { worker_connections ${s.worker_connections}; }`,
    'http {',
    `  access_log ${s.access_log};`,
    `  server_tokens ${s.server_tokens};`,
    `  client_body_temp_path ${join(input.dir, 'body-temp')};`,
    ...tempPaths,
    `  sendfile ${s.sendfile};`,
    `  tcp_nopush ${s.tcp_nopush};`,
    `  open_file_cache ${s.open_file_cache};`,
    `  output_buffers ${s.output_buffers};`,
    `  keepalive_requests ${s.keepalive_requests};`,
    `  keepalive_timeout ${s.keepalive_timeout};`,
    `  etag ${s.etag};`,
    `  max_ranges ${s.max_ranges};`,
    '  types { }',
    `  default_type ${nginxString(contentType, 'content-type')};`,
    '  server {',
    `    listen 127.0.0.1:${input.port} reuseport;`,
    `    root ${input.dir};`,
    '    location / {',
    '      limit_except GET { deny all; }',
    // An empty Last-Modified is nginx's way of leaving it out.
    '      add_header Last-Modified "";',
    ...added,
    '      try_files /answer =500;',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}

/** What the session's settings record of the nginx reference. */
export function describeNginx(install: NginxInstall): Record<string, unknown> {
  return { binary: install.path, version: install.version, settings: NGINX_SETTINGS, config: 'bench/reference/nginx.ts nginxConfig: the hot answer as a file, its headers by add_header' };
}

/** Resolves once an HTTP GET to the port answers, or rejects after `timeoutMs`. */
async function waitForHttp(url: string, exited: Promise<unknown>, stderrTail: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error(`nginx exited before answering: ${stderrTail()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const request = http.get(url, { agent: false, timeout: 1000 }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode === 200));
      });
      request.on('timeout', () => request.destroy());
      request.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nginx did not answer ${url} within ${timeoutMs} ms: ${stderrTail()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts nginx on a free 127.0.0.1 port, serving `source`, behind `wrap` (taskset, a CPU quota); resolves once it answers. */
export async function startNginxReference(source: ReferenceSource, install: NginxInstall, options: { wrap?: string[] } = {}): Promise<ReferenceServer> {
  const dir = mkdtempSync(join(tmpdir(), 'perf-book-nginx-'));
  let child: ReturnType<typeof spawn> | null = null;
  try {
    writeFileSync(join(dir, 'answer'), source.body, { mode: 0o644 });
    mkdirSync(join(dir, 'body-temp'));
    const port = await freePort();
    const user = process.getuid?.() === 0 ? 'root' : null;
    writeFileSync(join(dir, 'nginx.conf'), nginxConfig({ dir, port, headers: source.headers, configureArguments: install.configureArguments, user }));
    const [file, ...args] = [...(options.wrap ?? []), install.path, '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')];
    const spawned = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = spawned;
    let stderr = '';
    spawned.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString('utf8')).slice(-2000); });
    const exited = once(spawned, 'exit');
    spawned.once('error', () => {});
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/`, exited, () => stderr.trim() || '(no output)');
    if (spawned.pid === undefined) throw new Error('nginx has no pid');
    const pid = spawned.pid;
    let stopping: Promise<void> | null = null;
    return {
      url,
      pid,
      stop(): Promise<void> {
        stopping ??= (async () => {
          if (spawned.exitCode === null && spawned.signalCode === null) {
            const killTimer = setTimeout(() => spawned.kill('SIGKILL'), 5000);
            spawned.kill('SIGTERM'); // nginx's fast shutdown: the master stops its worker, then itself
            await exited;
            clearTimeout(killTimer);
          }
          rmSync(dir, { recursive: true, force: true });
        })();
        return stopping;
      },
    };
  } catch (error) {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
