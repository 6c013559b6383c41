/**
 * From one load generator result to what is kept of it (pure), the one place a LoadResult
 * becomes figures: the bench's `runs` row (the tool's figures, the server's CPU time, and
 * the honesty checks — was the load generator the bottleneck, does Little's law hold —
 * plus how the run is flagged and logged), and the gate's figures of one run of a pair.
 */
import type { RunRow } from '../../db/schema.ts';
import { saturationCores, type LoadGenerator, type LoadRequest, type LoadResult, type ToolInfo } from '../loadgen/index.ts';
import type { RunOutcome } from './summarize.ts';

/** Little's law cross-check tolerance: flag runs whose ratio is off by more than this. */
export const LITTLE_TOLERANCE = 0.2;
/**
 * A run is "load generator was the bottleneck" when the tool used this share of the cores it
 * can use while the server did not use this share of its own: a server busy on every core it
 * has served as fast as it can, whatever the tool had left.
 */
export const SATURATION_SHARE = 0.9;

/** Where a run belongs: its session, subject, scenario, round and place in the session's order. */
export interface RunPlace {
  sessionId: number;
  subject: string;
  commit: string | null;
  experiment: string;
  scenario: string;
  settingsKey: string;
  round: number;
  sequence: number;
}

export interface RunTool {
  generator: LoadGenerator;
  tool: ToolInfo;
  /** wrk/oha threads; null for autocannon (one event loop). */
  threads: number | null;
}

export function fmtRps(v: number | null): string {
  return v === null ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

/** The server's CPU time and how many cores' worth of it it could have used (its CPU set, or its quota). */
export interface ServerCpu {
  seconds: number | null;
  cores: number;
}

/** Was the load generator the limit of this run: busy on its cores while the server was not on its own (null: its CPU time is unknown). */
export function generatorWasTheLimit(result: LoadResult, loadgenCores: number, server: ServerCpu): boolean | null {
  if (result.cpuSeconds === null || result.wallSeconds <= 0) return null;
  const generatorBusy = result.cpuSeconds / result.wallSeconds >= SATURATION_SHARE * loadgenCores;
  const serverBusy = server.seconds !== null && server.seconds / result.wallSeconds >= SATURATION_SHARE * server.cores;
  return generatorBusy && !serverBusy;
}

/**
 * Little's law over the requests outstanding: throughput × mean latency ÷ (sockets × the
 * requests pipelined on each), 1 when the generator kept all of them busy. With pipelining
 * wrk records one latency per write, from the write to the last of its answers, so the
 * product counts every request of a batch until the batch is answered — at most the requests
 * outstanding; below them by the share of time a socket waited for the generator between
 * batches (session 32, 8 sockets × 4 on the AMD machine: 0.65–0.89 for the yardsticks,
 * whose answers keep wrk busiest, while their servers ran at 87–98% of their core).
 */
export function littlesLawRatio(requestsPerSecond: number | null, meanLatencyUs: number | null, sockets: number, pipeline = 1): number | null {
  if (requestsPerSecond === null || meanLatencyUs === null) return null;
  return (requestsPerSecond * (meanLatencyUs / 1e6)) / (sockets * pipeline);
}

/**
 * Whether a ratio contradicts the tool's figures. One request per write: off 1 by more than
 * the tolerance either way. Pipelined: only above 1 + tolerance (more outstanding than were
 * sent is impossible); below 1 is the generator's time between batches, which the ratio
 * records and the load-generator check judges, not a contradiction.
 */
export function littlesLawOff(ratio: number | null, pipeline = 1): boolean {
  if (ratio === null) return false;
  return pipeline > 1 ? ratio - 1 > LITTLE_TOLERANCE : Math.abs(ratio - 1) > LITTLE_TOLERANCE;
}

/** The runs row of one load run: what the tool reported, and the honesty checks. */
export function runRow(place: RunPlace, tool: RunTool, request: LoadRequest, startedAt: string, result: LoadResult, server: ServerCpu): RunRow {
  const saturated = generatorWasTheLimit(result, saturationCores(tool.generator, request), server);
  const little = littlesLawRatio(result.requestsPerSecond, result.latencyUs?.avg ?? null, request.connections, request.pipeline);
  return {
    session_id: place.sessionId, subject: place.subject, commit_hash: place.commit, experiment: place.experiment, scenario: place.scenario, settings_key: place.settingsKey,
    run_index: place.round, sequence: place.sequence, tool: tool.tool.name, tool_version: tool.tool.version, connections: request.connections,
    threads: tool.threads, duration_seconds: request.durationSeconds, keep_alive: request.keepAlive ? 1 : 0, started_at: startedAt,
    status: result.ok ? 'ok' : 'failed', failure: result.ok ? null : (result.failure ?? 'the load generator reported failure'), requests_per_second: result.requestsPerSecond,
    total_requests: result.totalRequests, successful_requests: result.successfulRequests, non_2xx: result.non2xx, socket_errors: result.socketErrors,
    timeout_errors: result.timeoutErrors, bytes_transferred: result.bytes, avg_latency_us: result.latencyUs?.avg ?? null, p50_latency_us: result.latencyUs?.p50 ?? null,
    p90_latency_us: result.latencyUs?.p90 ?? null, p99_latency_us: result.latencyUs?.p99 ?? null, max_latency_us: result.latencyUs?.max ?? null,
    server_cpu_seconds: server.seconds, loadgen_cpu_seconds: result.cpuSeconds, loadgen_saturated: saturated === null ? null : saturated ? 1 : 0, littles_law_ratio: little, raw_output: result.raw,
  };
}

/** What a summary needs of a run row. */
export function outcomeOf(run: RunRow): RunOutcome {
  return {
    run_index: run.run_index,
    sequence: run.sequence,
    status: run.status === 'ok' ? 'ok' : 'failed',
    connections: run.connections,
    requests_per_second: run.requests_per_second,
    avg_latency_us: run.avg_latency_us,
    p50_latency_us: run.p50_latency_us,
    p90_latency_us: run.p90_latency_us,
    p99_latency_us: run.p99_latency_us,
    max_latency_us: run.max_latency_us,
    loadgen_saturated: run.loadgen_saturated === 1,
    disturbed: run.disturbance != null,
  };
}

/** The gate's figures of one run of a pair (bench/gate/): throughput, p99, and how many requests failed. */
export interface RunFigures {
  requestsPerSecond: number;
  p99LatencyUs: number | null;
  successfulRequests: number;
  errors: number;
}

/** A gate run's figures; a failed run is an error, never a number. */
export function runFigures(result: LoadResult, label: string): RunFigures {
  if (!result.ok || result.requestsPerSecond === null || !(result.requestsPerSecond > 0)) {
    throw new Error(`${label} failed: ${result.failure ?? 'no successful response'}`);
  }
  return { requestsPerSecond: result.requestsPerSecond, p99LatencyUs: result.latencyUs?.p99 ?? null, successfulRequests: result.successfulRequests, errors: errorsOf(result) };
}

function errorsOf(result: LoadResult): number {
  return result.non2xx + result.socketErrors + result.timeoutErrors;
}

function littleOff(run: RunRow, pipeline: number): boolean {
  return littlesLawOff(typeof run.littles_law_ratio === 'number' ? run.littles_law_ratio : null, pipeline);
}

/** `pipeline`: the requests per write of the run's load (the Little's-law check depends on it). */
export function flagRun(flags: Set<string>, run: RunRow, result: LoadResult, pipeline = 1): void {
  if (!result.ok) flags.add('failed');
  if (run.loadgen_saturated === 1) flags.add('loadgen-bottleneck');
  if (errorsOf(result) > 0) flags.add('errors');
  if (littleOff(run, pipeline)) flags.add('littles-law');
}

/** The log line of a recorded run. */
export function describeRun(label: string, runs: number, run: RunRow, result: LoadResult, pipeline = 1): string {
  const head = `${run.scenario} round ${run.run_index + 1}/${runs} ${label} @${run.connections}: `;
  if (!result.ok) return `${head}FAILED: ${run.failure}`;
  const errors = errorsOf(result);
  return (
    head +
    `${fmtRps(result.requestsPerSecond)} req/s, p99 ${result.latencyUs ? (result.latencyUs.p99 / 1000).toFixed(2) : '—'} ms` +
    `${errors ? `, ${errors} errors/non-2xx` : ''}, cpu server ${run.server_cpu_seconds?.toFixed(2) ?? '—'} s / loadgen ${result.cpuSeconds?.toFixed(2) ?? '—'} s` +
    `${run.loadgen_saturated === 1 ? ' [load generator was the bottleneck]' : ''}${littleOff(run, pipeline) ? ` [Little's law off: ${(run.littles_law_ratio as number).toFixed(2)}]` : ''}`
  );
}
