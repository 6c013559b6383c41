/**
 * The polite client of the fairness scenario: one search every `intervalMs`, on a fixed clock
 * (open loop: a slow answer does not delay the next request), each latency measured from the
 * request's intended send time. Either on a new TCP connection per request (a newcomer every
 * time) or on one kept-alive connection. It runs in a child process of its own, so the greedy
 * generator's busy event loop in the bench process cannot delay its sends or its clock.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { percentileOfSorted } from './open-loop-tally.ts';
import { assertLocalTarget } from './request.ts';

export type PoliteConnection = 'new' | 'kept-alive';

export interface PoliteRequest {
  url: string;
  path: string;
  intervalMs: number;
  durationSeconds: number;
  connection: PoliteConnection;
  /** The client's phase: its first request is intended this long after its start (below `intervalMs`; default 0). */
  offsetMs?: number;
  timeoutMs?: number;
  /** Command prefix (taskset -c <loadgen CPUs>). */
  wrap?: string[];
}

/**
 * One request: when it was meant to go (ms from the start), how late the client itself sent it
 * (µs: its own clock's lag, not the server's), its status (0: no answer), its latency from the
 * intended send.
 */
export interface PoliteAnswer { intendedMs: number; sendLagUs: number; status: number; latencyUs: number | null; error?: string }

/** Runs in the child (plain JavaScript: no TypeScript loader in the measuring process). */
const CHILD_SOURCE = `
import http from 'node:http';
import { performance } from 'node:perf_hooks';
const config = JSON.parse(process.env.POLITE_CONFIG);
const agent = config.connection === 'kept-alive' ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : false;
const headers = config.connection === 'kept-alive' ? {} : { connection: 'close' };
// Every intended time before the end of the duration.
const count = Math.ceil((config.durationSeconds * 1000 - config.offsetMs) / config.intervalMs);
const answers = [];
const start = performance.now();
let pending = 0;
let scheduled = 0;
function finish() { process.stdout.write(JSON.stringify(answers) + '\\n'); if (agent) agent.destroy(); }
function send(i) {
  const intendedMs = config.offsetMs + i * config.intervalMs;
  const intendedAt = start + intendedMs;
  const sendLagUs = Math.round((performance.now() - intendedAt) * 1000);
  pending++;
  const done = (status, error) => {
    const answer = { intendedMs, sendLagUs, status, latencyUs: status === 0 ? null : Math.round((performance.now() - intendedAt) * 1000) };
    if (error) answer.error = error;
    answers.push(answer);
    if (--pending === 0 && scheduled === count) finish();
  };
  const request = http.get(config.url + config.path, { agent, headers, timeout: config.timeoutMs }, (response) => {
    response.resume();
    response.on('end', () => done(response.statusCode));
    response.on('error', (e) => done(0, e.message));
  });
  request.on('timeout', () => request.destroy(new Error('timeout')));
  request.on('error', (e) => done(0, e.message));
}
function tick() {
  const now = performance.now() - start;
  const due = (i) => config.offsetMs + i * config.intervalMs;
  while (scheduled < count && due(scheduled) <= now) send(scheduled++);
  if (scheduled < count) setTimeout(tick, Math.max(0, due(scheduled) - (performance.now() - start)));
  else if (pending === 0) finish();
}
tick();
`;

/** Sends the polite requests and resolves with every answer, in intended order. Bounded: duration + timeout + 5 s. */
export async function runPoliteClient(request: PoliteRequest): Promise<PoliteAnswer[]> {
  assertLocalTarget(request.url);
  if (!request.path.startsWith('/')) throw new Error(`polite client: path must start with "/" (got ${request.path})`);
  if (!(request.intervalMs > 0) || !(request.durationSeconds > 0)) throw new Error('polite client: interval and duration must be positive');
  const offsetMs = request.offsetMs ?? 0;
  if (!(offsetMs >= 0 && offsetMs < request.intervalMs)) throw new Error(`polite client: the offset must lie in [0, interval) (got ${offsetMs} ms of ${request.intervalMs})`);
  const timeoutMs = request.timeoutMs ?? 10_000;
  const config = { url: request.url.replace(/\/$/, ''), path: request.path, intervalMs: request.intervalMs, durationSeconds: request.durationSeconds, connection: request.connection, offsetMs, timeoutMs };
  const [file, ...args] = [...(request.wrap ?? []), process.execPath, '--input-type=module', '-e', CHILD_SOURCE];
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POLITE_CONFIG: JSON.stringify(config) } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
  child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString('utf8')).slice(-2000); });
  const limit = setTimeout(() => child.kill('SIGKILL'), request.durationSeconds * 1000 + timeoutMs + 5000);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  clearTimeout(limit);
  if (code !== 0) throw new Error(`polite client exited (${signal ?? code}): ${stderr.trim() || '(no output)'}`);
  const answers = JSON.parse(stdout) as PoliteAnswer[];
  return answers.sort((a, b) => a.intendedMs - b.intendedMs);
}

export interface PoliteFigures {
  sent: number;
  /** Answered 200 within `withinMs` of the intended send. */
  okFast: number;
  share: number | null;
  p99LatencyUs: number | null;
  statuses: Record<string, number>;
  /** The latest the client itself sent a counted request (µs after its intended time): a late client, not a slow server. */
  sendLagMaxUs: number | null;
  /** Why the unanswered ones (status 0) got no answer: message → count. */
  errors: Record<string, number>;
}

/** What the fairness scenario records of the polite answers intended at or after `fromMs` (pure). */
export function politeFigures(answers: readonly PoliteAnswer[], fromMs: number, withinMs: number): PoliteFigures {
  const counted = answers.filter((a) => a.intendedMs >= fromMs);
  const okFast = counted.filter((a) => a.status === 200 && a.latencyUs !== null && a.latencyUs <= withinMs * 1000).length;
  const latencies = counted.flatMap((a) => (a.latencyUs === null ? [] : [a.latencyUs])).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  const errors: Record<string, number> = {};
  for (const a of counted) {
    statuses[String(a.status)] = (statuses[String(a.status)] ?? 0) + 1;
    if (a.error !== undefined) errors[a.error] = (errors[a.error] ?? 0) + 1;
  }
  const sendLagMaxUs = counted.length === 0 ? null : Math.max(...counted.map((a) => a.sendLagUs));
  return { sent: counted.length, okFast, share: counted.length === 0 ? null : okFast / counted.length, p99LatencyUs: percentileOfSorted(latencies, 0.99), statuses, sendLagMaxUs, errors };
}
