// Validation shared by every adapter: a load test only ever targets this machine, with sane numbers.
import type { LoadRequest } from './types.ts';

export const LOCAL_HOSTS = ['127.0.0.1', 'localhost'] as const;
export const DEFAULT_TIMEOUT_SECONDS = 10;
export const DEFAULT_THREADS = 1;

/** A LoadRequest with its defaults filled in and its base URL split into origin and host. */
export interface CheckedRequest extends Required<Omit<LoadRequest, 'cpus'>> {
  cpus?: string;
  origin: string;   // "http://127.0.0.1:8080", no trailing slash
  hostname: string;
  port: number;
}

/** Throws unless `url` is http://127.0.0.1:<port> or http://localhost:<port> (a base URL, nothing after the port). */
export function assertLocalTarget(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`load target ${JSON.stringify(url)} is not a URL; expected http://127.0.0.1:<port>`);
  }
  if (!(LOCAL_HOSTS as readonly string[]).includes(parsed.hostname)) {
    throw new Error(
      `refusing to send load to ${JSON.stringify(parsed.hostname)}: load tests only target 127.0.0.1 or localhost (got ${url})`,
    );
  }
  if (parsed.protocol !== 'http:') {
    throw new Error(`load target must be plain http:// on 127.0.0.1 or localhost (got ${url})`);
  }
  if (parsed.port === '') {
    throw new Error(`load target needs an explicit port, e.g. http://127.0.0.1:8080 (got ${url})`);
  }
  if ((parsed.pathname !== '/' && parsed.pathname !== '') || parsed.search !== '' || parsed.hash !== '' || parsed.username !== '') {
    throw new Error(`load target must be a base URL like http://127.0.0.1:8080; put paths in request.paths (got ${url})`);
  }
  return parsed;
}

function assertPositiveInteger(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${what} must be a positive integer (got ${value})`);
}

/**
 * Extra request headers: a token for a name, a value of visible ASCII and spaces with no
 * quote or backslash (they go into a Lua string and a command line as they are); never a
 * framing or connection header, which the request's own fields decide.
 */
function checkHeaders(headers: Record<string, string>): Record<string, string> {
  for (const [name, value] of Object.entries(headers)) {
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) throw new Error(`request header name ${JSON.stringify(name)} is not an HTTP token`);
    if (['connection', 'content-length', 'transfer-encoding', 'host'].includes(name.toLowerCase())) throw new Error(`request header ${name} is the load generator's to set, not the request's`);
    if (!/^[\x20-\x7e]*$/.test(value) || /["'\\]/.test(value)) throw new Error(`request header ${name}: value ${JSON.stringify(value)} must be printable ASCII without quotes or backslashes`);
  }
  return { ...headers };
}

/** Lists of paths already checked, with their length then: a mix's 200,000 paths took 30 ms to check, at every run. */
const checkedPathLists = new WeakMap<readonly string[], number>();

function checkPaths(paths: readonly string[]): void {
  if (!Array.isArray(paths) || paths.length === 0) throw new Error('request.paths must list at least one path');
  if (checkedPathLists.get(paths) === paths.length) return;
  for (const path of paths) {
    if (typeof path !== 'string' || !path.startsWith('/') || /[\s"'\\]/.test(path)) {
      throw new Error(`request path ${JSON.stringify(path)} must start with "/" and contain no whitespace, quotes or backslashes`);
    }
  }
  checkedPathLists.set(paths, paths.length);
}

/** Validates a request (refusing non-local hosts) and fills in the defaults. */
export function checkRequest(request: LoadRequest): CheckedRequest {
  const target = assertLocalTarget(request.url);
  checkPaths(request.paths);
  assertPositiveInteger(request.connections, 'connections');
  if (!(request.durationSeconds > 0) || !Number.isFinite(request.durationSeconds)) {
    throw new Error(`durationSeconds must be a positive number (got ${request.durationSeconds})`);
  }
  const threads = request.threads ?? DEFAULT_THREADS;
  assertPositiveInteger(threads, 'threads');
  const pipeline = request.pipeline ?? 1;
  assertPositiveInteger(pipeline, 'pipeline');
  if (pipeline > 1 && !request.keepAlive) throw new Error('pipelining needs keep-alive connections (keepAlive false sends one request per connection)');
  const timeoutSeconds = request.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  if (!(timeoutSeconds > 0) || !Number.isFinite(timeoutSeconds)) {
    throw new Error(`timeoutSeconds must be a positive number (got ${timeoutSeconds})`);
  }
  return {
    url: request.url,
    paths: [...request.paths],
    connections: request.connections,
    durationSeconds: request.durationSeconds,
    keepAlive: request.keepAlive,
    threads,
    timeoutSeconds,
    pipeline,
    headers: checkHeaders(request.headers ?? {}),
    origin: target.origin,
    hostname: target.hostname,
    port: Number(target.port),
    cpus: request.cpus,
  };
}

/** How long a run may take before the guard kills the tool: duration + per-request timeout + startup grace. */
export function overrunLimitMs(request: CheckedRequest): number {
  const startupGraceSeconds = 15; // a cold node/tsx start on a loaded 2-core machine
  return Math.ceil((request.durationSeconds + request.timeoutSeconds + startupGraceSeconds) * 1000);
}
