// The machine-independent yardstick: a bare node:http server, in a child process, that answers
// every GET with exactly the given body bytes and headers (the chapter's hot response). Its
// throughput on a machine is what "as fast as Node.js can serve these bytes" means there.
// Keep-alive is honoured, and so is a request's `Connection: close` (node:http closes the
// connection after that response).
import { spawn } from 'node:child_process';
import { once } from 'node:events';

// Hop-by-hop and framing headers are the server's to decide per connection, never the caller's.
const SERVER_OWNED_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/** Runs in the child (plain JavaScript, so no TypeScript loader sits in the measured process). */
const CHILD_SOURCE = `
import http from 'node:http';
const body = Buffer.from(process.env.REFERENCE_BODY_BASE64 ?? '', 'base64');
const headers = JSON.parse(process.env.REFERENCE_HEADERS_JSON ?? '{}');
headers['content-length'] = String(body.length);
const sendDate = !Object.keys(headers).some((name) => name.toLowerCase() === 'date');
const server = http.createServer((request, response) => {
  response.sendDate = sendDate;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-length': '0' });
    response.end();
    return;
  }
  response.writeHead(200, headers);
  response.end(request.method === 'HEAD' ? undefined : body);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\\n');
});
// The parent closes our stdin to stop us, and so does its death: never outlive it.
process.stdin.resume();
process.stdin.on('end', () => { server.close(); server.closeAllConnections(); process.exit(0); });
`;

export interface ReferenceServer { url: string; pid: number; stop(): Promise<void> }

/** The command that runs the reference server: node and its program (the instruction count wraps it in callgrind). */
export function referenceCommand(): string[] {
  return [process.execPath, '--input-type=module', '-e', CHILD_SOURCE];
}

/**
 * Starts the reference server on an ephemeral 127.0.0.1 port and resolves once it listens;
 * `command` replaces referenceCommand() (the same program with node flags inserted), `wrap` execs it.
 */
export async function startReferenceServer(body: Buffer, headers: Record<string, string>, options: { wrap?: string[]; command?: string[] } = {}): Promise<ReferenceServer> {
  const servedHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!SERVER_OWNED_HEADERS.has(name.toLowerCase())) servedHeaders[name.toLowerCase()] = value;
  }
  const [file, ...args] = [...(options.wrap ?? []), ...(options.command ?? referenceCommand())];
  const child = spawn(file, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      ...process.env,
      REFERENCE_BODY_BASE64: body.toString('base64'),
      REFERENCE_HEADERS_JSON: JSON.stringify(servedHeaders),
    },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
  const exited = once(child, 'exit');

  const port = await new Promise<number>((resolve, reject) => {
    let stdout = '';
    const onData = (chunk: Buffer): void => {
      stdout += chunk.toString('utf8');
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      child.stdout.off('data', onData);
      try {
        resolve((JSON.parse(stdout.slice(0, newline)) as { port: number }).port);
      } catch {
        reject(new Error(`reference server printed no port: ${stdout.slice(0, 200)}`));
      }
    };
    child.stdout.on('data', onData);
    child.once('error', reject);
    void exited.then(([code, signal]) => reject(new Error(`reference server exited (${signal ?? code}) before listening: ${stderr.trim()}`)));
  });
  child.stdout.resume(); // nothing more is expected; never let a full pipe stall the child
  if (child.pid === undefined) throw new Error('reference server has no pid');
  const pid = child.pid;

  let stopping: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}`,
    pid,
    stop(): Promise<void> {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.stdin.end();
        await exited;
        clearTimeout(killTimer);
      })();
      return stopping;
    },
  };
}
