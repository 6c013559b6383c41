/**
 * `npm run book:dev` (--watch): serves the site on localhost and rebuilds it when
 * book/, data/ or generator/ change. Each build runs in a fresh child process, so edits
 * to the generator's own code take effect too; a failed build leaves the last good site
 * being served. Open pages reload themselves after each build.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliOptions } from './options.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

/** Path of the server-sent events stream that tells open pages to reload (dev server only). */
const RELOAD_PATH = '/__book_reload';
const RELOAD_SCRIPT = `<script>new EventSource(${JSON.stringify(RELOAD_PATH)}).addEventListener('reload',function(){location.reload()})</script>`;

export interface StaticServer {
  url: string;
  server: Server;
  /** Tells every open page to reload (when started with liveReload). */
  reload(): void;
  close(): Promise<void>;
}

export interface StaticServerOptions {
  /** 0 = any free port. */
  port?: number;
  host?: string;
  /** Inject a reload listener into HTML pages (dev server). */
  liveReload?: boolean;
}

/** A small static file server for a folder (the dev server and the browser test use it). */
export async function serveDirectory(rootDir: string, options: StaticServerOptions = {}): Promise<StaticServer> {
  const root = resolve(rootDir);
  const host = options.host ?? '127.0.0.1';
  const listeners = new Set<ServerResponse>();

  const server = createServer((request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (options.liveReload && url.pathname === RELOAD_PATH) {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      response.write(': connected\n\n');
      listeners.add(response);
      request.on('close', () => listeners.delete(response));
      return;
    }
    void sendFile(root, url.pathname, response, request.method === 'HEAD', options.liveReload === true);
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}/`,
    server,
    reload() {
      for (const listener of listeners) listener.write('event: reload\ndata: now\n\n');
    },
    close() {
      for (const listener of listeners) listener.end();
      return new Promise((resolveClose) => server.close(() => resolveClose()));
    },
  };
}

async function sendFile(root: string, pathname: string, response: ServerResponse, headOnly: boolean, liveReload: boolean): Promise<void> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    response.writeHead(400).end('bad path');
    return;
  }
  let file = resolve(root, `.${decoded}`);
  if (file !== root && !file.startsWith(root + sep)) {
    response.writeHead(403).end('outside the site');
    return;
  }
  try {
    if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
    let body: Buffer | string = await readFile(file);
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    if (liveReload && type.startsWith('text/html')) body = body.toString('utf8').replace('</body>', `${RELOAD_SCRIPT}\n</body>`);
    response.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-cache' });
    response.end(headOnly ? undefined : body);
  } catch {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${pathname}`);
  }
}

/** Serves `options.out` and rebuilds on changes until interrupted. */
export async function watchAndServe(options: CliOptions, argv: string[]): Promise<never> {
  const cli = fileURLToPath(new URL('./book.mjs', import.meta.url));
  const buildArgs = childBuildArgs(argv);
  const say = (line: string) => {
    if (!options.quiet) process.stdout.write(`${line}\n`);
  };

  let building: ChildProcess | undefined;
  let pending = false;
  let site: StaticServer | undefined;
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  // Installed before anything can take long: a stop request is never met by node's
  // default action (exit 143), whatever the server is doing when it arrives.
  const stop = () => {
    stopping = true;
    clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
    building?.kill('SIGTERM'); // a build in progress would otherwise outlive the server
    void (site ? site.close() : Promise.resolve()).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const build = () => {
    if (stopping) return;
    if (building) {
      pending = true;
      return;
    }
    // The launcher rebuilds the generator's bundle first when its sources changed.
    const child = spawn(process.execPath, [cli, ...buildArgs], { stdio: 'inherit' });
    building = child;
    child.on('exit', (code, signal) => {
      building = undefined;
      if (signal) return; // stopped with the server
      if (code !== 0) say('book: build failed (see above); still serving the previous build');
      site?.reload();
      if (pending) {
        pending = false;
        build();
      }
    });
  };

  build();
  try {
    site = await serveDirectory(options.out, { port: options.port, liveReload: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    say(`book: port ${options.port} is busy, using a free one`);
    site = await serveDirectory(options.out, { port: 0, liveReload: true });
  }

  const here = process.cwd();
  const generatorDir = dirname(cli);
  const watched = [resolve(options.bookDir), resolve(dirname(options.db)), generatorDir];
  for (const dir of watched) {
    try {
      watchers.push(
        watch(dir, { recursive: true }, (_event, name) => {
          if (name && /(^|[/\\])(\.cache|node_modules|dist)([/\\]|$)|\.(tmp|lock|log)$|\.test\.ts$/.test(name)) return;
          clearTimeout(timer);
          timer = setTimeout(build, 120); // an editor's save is often several events
        }),
      );
    } catch {
      say(`book: not watching ${relative(here, dir) || dir} (cannot watch it)`);
    }
  }

  say(
    `book: serving ${relative(here, resolve(options.out)) || '.'}/ at ${site.url}\n` +
      `book: rebuilding on changes to ${watched.map((d) => `${relative(here, d) || '.'}/`).join(', ')} (Ctrl-C to stop)`,
  );
  return new Promise<never>(() => undefined); // runs until stop()
}

/** The --watch command line minus --watch/--port, in preview mode so a broken directive shows in the page. */
export function childBuildArgs(argv: string[]): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--watch') continue;
    if (arg === '--port') {
      i++;
      continue;
    }
    if (arg.startsWith('--port=')) continue;
    args.push(arg);
  }
  if (!args.includes('--keep-going')) args.push('--keep-going');
  return args;
}
