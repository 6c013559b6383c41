// wrk adapter (Debian package `wrk`, LuaJIT-scripted). The generated Lua script:
//  - reads the request paths from a file in init() and builds every (pipelined) batch there, so
//    request() only hands out the thread's next prebuilt string (every connection sees the mix);
//  - says when it is ready (its start-up done) and waits, so the runner counts wrk's CPU and
//    wall time from the start of the load (a mix's start-up is not the load's cost);
//  - counts answers per second on a monotonic clock (LuaJIT's FFI): in request() for the steady
//    load (a batch asked for = the previous batch answered), in response() with status classes
//    for the paced greedy client (see scriptCounting);
//  - prints one JSON report from done() (summary, latency percentiles, status counts,
//    buckets gathered with thread:get), then waits on stdin until the runner has read wrk's
//    CPU time from /proc.
// Per-second samples from wrk carry `errors` = non-2xx responses only (socket errors never reach
// Lua; a steady run with any error has no samples) and `p99LatencyUs: null` (Lua is not given
// the latency). They arrive when the run ends, not live.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { checkRequest, overrunLimitMs } from './request.ts';
import { describeAbnormalExit, rawOutput, runToolProcess } from './process.ts';
import { findExecutable } from '../proc/executable.ts';
import { buildParsedLoad, completeResult, failedResult, type ParsedLoad } from './result.ts';
import type { LatencyUs, LoadGenerator, LoadRequest, LoadResult, LoadSample, ToolInfo } from './types.ts';
import { parseByteSize, parseDurationToMicroseconds, parseSiNumber } from './units.ts';

const execFileAsync = promisify(execFile);

const WRK_INSTALL_HINT = 'apt-get install wrk';
export const WRK_REPORT_MARKER = 'LOADGEN_WRK_REPORT ';
/** Printed by init() once the requests are built; wrk then waits for a line on stdin. */
export const WRK_READY_MARKER = 'LOADGEN_WRK_READY';
/** A trailing bucket narrower than this is no per-second sample (its responses stay in the totals). */
const MIN_SAMPLE_SECONDS = 0.25;

/** The JSON that the generated done() prints after WRK_REPORT_MARKER. */
export interface WrkDoneReport {
  format: 1;
  counting?: 'statuses' | 'batches'; // how the seconds were counted (wrkLuaScript); absent: statuses
  summary: {
    duration: number; // µs
    requests: number; // completed responses, any status
    bytes: number;
    errors: { connect: number; read: number; write: number; status: number; timeout: number };
  };
  latency: { min: number; max: number; mean: number; stdev: number; p50: number; p90: number; p99: number } | null; // µs; null: no response
  statuses: { success: number; other: number }; // 2xx, everything else (from response())
  seconds: Array<{ second: number; success: number; other: number }>; // second 0 = the thread's first second
}

function luaString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * A paced schedule (the fairness scenario's greedy client): wrk's delay() hook, called before
 * every request, hands out the thread's next send slot at `rps` per second from the thread's
 * start, so the connections together offer `rps` whatever each one's answers take (a
 * connection waiting for its answer simply takes no slot). A slot already past is sent at
 * once: behind its schedule, the client catches up, as an open-loop one does. Delays are
 * whole milliseconds (wrk's timer), so sends go out in 1 ms bunches.
 */
function pacedDelay(rps: number): string {
  if (!(rps > 0) || !Number.isFinite(rps)) throw new Error(`a paced wrk schedule needs a positive rate (got ${rps})`);
  return `
-- paced: the thread's n-th request is due n / rate seconds after its start
local lg_rate = ${rps}
local lg_slot = 0
function delay()
  local due = lg_start + lg_slot / lg_rate
  lg_slot = lg_slot + 1
  local wait = (due - lg_now()) * 1000
  if wait < 1 then return 0 end
  return math.floor(wait)
end
`;
}

/** What the generated script is told: the rest comes from the request. */
export interface WrkScript {
  /** A file of the request paths, one a line, read by init() (a mix's 200 000 paths as Lua literals took wrk 1 s of CPU to load). */
  pathsFile: string;
  keepAlive: boolean;
  /** Requests per write on each connection (1: none). */
  pipeline?: number;
  headers?: Record<string, string>;
  /** Connections each wrk thread opens: their first batches answer nothing yet (see `counting`). */
  connectionsPerThread: number;
  /** Paced sends (pacedDelay); such a run counts statuses. */
  pacedRps?: number;
}

/**
 * How the script counts answers per second. 'statuses' defines response(), which makes wrk copy
 * every answer's headers and body into Lua (callgrind, wrk against nginx's hot answer: 14.6 k
 * user-space instructions per request with it, 5.5 k without): exact 2xx and other per second,
 * for the paced greedy client. 'batches' (the steady load) counts in request() instead: wrk asks for a connection's
 * next batch only once every answer of its previous one is in (and a closed connection's
 * successor only once its answer is in), so each call after a connection's first is `depth`
 * answers; totals come from wrk's own summary.
 */
export function scriptCounting(script: Pick<WrkScript, 'pacedRps'>): 'statuses' | 'batches' {
  return script.pacedRps === undefined ? 'batches' : 'statuses';
}

/** The Lua script given to `wrk -s` (pure: the same input gives the same script). */
export function wrkLuaScript(script: WrkScript): string {
  const depth = script.pipeline ?? 1;
  const counting = scriptCounting(script);
  return `-- generated by bench/loadgen/wrk.ts — do not edit
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } lg_timespec;
int clock_gettime(int clock_id, lg_timespec *tp);
unsigned long pthread_self(void);
]]
local CLOCK_MONOTONIC = 1
local lg_ts = ffi.new("lg_timespec")
local function lg_now()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, lg_ts)
  return tonumber(lg_ts.tv_sec) + tonumber(lg_ts.tv_nsec) / 1e9
end
local floor = math.floor
${script.keepAlive ? '' : 'wrk.headers["Connection"] = "close" -- a new TCP connection per request\n'}${Object.entries(script.headers ?? {}).map(([name, value]) => `wrk.headers[${luaString(name)}] = ${luaString(value)}\n`).join('')}
local lg_threads = {}
function setup(thread)
  table.insert(lg_threads, thread)
end

local depth = ${depth}
function init(args)
  lg_success = {}
  lg_other = {}
  -- Every request is wrk.format's for its path: the template for "/" split around the path.
  local template = wrk.format("GET", "/")
  local head, tail = "GET ", template:sub(6)
  local paths = {}
  for line in io.lines(${luaString(script.pathsFile)}) do paths[#paths + 1] = line end
  -- Each write carries \`depth\` requests, the next paths in turn (wrk counts every response).
  -- Batch i holds requests (i-1)*depth+1 … i*depth of the rotation, so the batches together
  -- send every path once per pass, as without pipelining; lcm(paths, depth) requests make
  -- whole batches. Built once here: request() only hands out a prebuilt string.
  local n = #paths
  local a, b = n, depth
  while b > 0 do a, b = b, a % b end
  lg_requests = {}
  for i = 1, n / a do
    local parts = {}
    for j = 0, depth - 1 do
      parts[#parts + 1] = head; parts[#parts + 1] = paths[((i - 1) * depth + j) % n + 1]; parts[#parts + 1] = tail
    end
    lg_requests[i] = table.concat(parts)
  end
  lg_count = #lg_requests
  lg_next = 0
  -- wrk calls request() once from its main thread to check the script, and once per
  -- connection before any answer: none of these calls is an answer.
  lg_main_thread = ffi.C.pthread_self()
  lg_unanswered = ${script.connectionsPerThread}
  -- Ready: bench/loadgen reads our CPU time (the start-up's) and answers; wrk starts its clock next.
  io.write(${luaString(WRK_READY_MARKER)}, "\\n")
  io.stdout:flush()
  io.read("*l")
  lg_start = lg_now()
end

function request()
${counting === 'batches' ? `  if lg_unanswered > 0 then
    if ffi.C.pthread_self() ~= lg_main_thread then lg_unanswered = lg_unanswered - 1 end
  else
    local second = floor(lg_now() - lg_start)
    lg_success[second] = (lg_success[second] or 0) + depth
  end
` : ''}  lg_next = lg_next % lg_count + 1
  return lg_requests[lg_next]
end
${counting === 'statuses' ? `
function response(status, headers, body)
  local second = floor(lg_now() - lg_start)
  if status >= 200 and status < 300 then
    lg_success[second] = (lg_success[second] or 0) + 1
  else
    lg_other[second] = (lg_other[second] or 0) + 1
  end
end
` : ''}${script.pacedRps === undefined ? '' : pacedDelay(script.pacedRps)}
local function num(x)
  if x ~= x or x == math.huge or x == -math.huge then return "null" end
  return string.format("%.17g", x)
end

function done(summary, latency, requests)
  local success, other, total_success, total_other, last = {}, {}, 0, 0, -1
  for _, thread in ipairs(lg_threads) do
    for second, n in pairs(thread:get("lg_success") or {}) do
      success[second] = (success[second] or 0) + n; total_success = total_success + n
      if second > last then last = second end
    end
    for second, n in pairs(thread:get("lg_other") or {}) do
      other[second] = (other[second] or 0) + n; total_other = total_other + n
      if second > last then last = second end
    end
  end
  local e = summary.errors
${counting === 'batches' ? `  -- Counted in request(): the totals are wrk's own (status errors are its status > 399). The
  -- seconds count answers of any status, and a socket error's new connection asks a batch
  -- that answers nothing: with any error they say nothing per second, so none are given.
  total_other = e.status
  total_success = summary.requests - e.status
  if e.status + e.connect + e.read + e.write + e.timeout > 0 then last = -1 end
` : ''}  local seconds = {}
  for second = 0, last do
    seconds[#seconds + 1] = string.format('{"second":%d,"success":%d,"other":%d}', second, success[second] or 0, other[second] or 0)
  end
  local lat = "null"
  if summary.requests > 0 then
    lat = string.format('{"min":%s,"max":%s,"mean":%s,"stdev":%s,"p50":%s,"p90":%s,"p99":%s}',
      num(latency.min), num(latency.max), num(latency.mean), num(latency.stdev),
      num(latency:percentile(50)), num(latency:percentile(90)), num(latency:percentile(99)))
  end
  io.write(${luaString(WRK_REPORT_MARKER)}, string.format(
    '{"format":1,"counting":"${counting}","summary":{"duration":%s,"requests":%s,"bytes":%s,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}},"latency":%s,"statuses":{"success":%d,"other":%d},"seconds":[%s]}',
    num(summary.duration), num(summary.requests), num(summary.bytes), e.connect, e.read, e.write, e.status, e.timeout,
    lat, total_success, total_other, table.concat(seconds, ",")), "\\n")
  io.stdout:flush()
  -- wait until bench/loadgen has read wrk's CPU time from /proc (it closes our stdin)
  io.read("*l")
end
`;
}

function samplesFromBuckets(seconds: WrkDoneReport['seconds'], durationSeconds: number): LoadSample[] {
  const samples: LoadSample[] = [];
  for (const bucket of seconds) {
    const width = Math.min(1, durationSeconds - bucket.second);
    if (width < MIN_SAMPLE_SECONDS) continue;
    samples.push({ second: bucket.second + 1, requestsPerSecond: bucket.success / width, errors: bucket.other, p99LatencyUs: null });
  }
  return samples;
}

function parseDoneReport(report: WrkDoneReport, raw: string): ParsedLoad {
  const { summary, latency } = report;
  const durationSeconds = summary.duration / 1e6;
  const latencyUs: LatencyUs | null = latency === null || summary.requests === 0
    ? null
    : { avg: latency.mean, p50: latency.p50, p90: latency.p90, p99: latency.p99, max: latency.max };
  return buildParsedLoad({
    durationSeconds,
    successfulRequests: report.statuses.success,
    non2xx: report.statuses.other,
    socketErrors: summary.errors.connect + summary.errors.read + summary.errors.write,
    timeoutErrors: summary.errors.timeout,
    bytes: summary.bytes,
    latencyUs,
    samples: samplesFromBuckets(report.seconds, durationSeconds),
    raw,
  });
}

/**
 * wrk's plain text summary (no script). Successful = requests − "Non-2xx or 3xx responses"
 * (which wrk counts as status > 399, so 3xx count as successful here); latency percentiles
 * exist only with --latency, otherwise latency is null.
 */
export function parseWrkText(text: string): ParsedLoad {
  const completed = /^\s*(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read\s*$/m.exec(text);
  if (!completed) throw new Error('wrk output holds no "N requests in T, B read" line');
  const requests = Number(completed[1]);
  const durationSeconds = parseDurationToMicroseconds(completed[2]) / 1e6;
  const bytes = parseByteSize(completed[3]);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const [connect, read, write, timeout] = socket ? socket.slice(1, 5).map(Number) : [0, 0, 0, 0];
  const non2xxMatch = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  const non2xx = non2xxMatch ? Number(non2xxMatch[1]) : 0;
  const stats = /^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)\s+\S+%\s*$/m.exec(text);
  const distribution = (percent: number): number | null => {
    const match = new RegExp(`^\\s*${percent}(?:\\.0+)?%\\s+(\\S+)\\s*$`, 'm').exec(text);
    return match ? parseDurationToMicroseconds(match[1]) : null;
  };
  const p50 = distribution(50);
  const p90 = distribution(90);
  const p99 = distribution(99);
  const latencyUs: LatencyUs | null = stats && requests > 0 && p50 !== null && p90 !== null && p99 !== null
    ? { avg: parseDurationToMicroseconds(stats[1]), p50, p90, p99, max: parseDurationToMicroseconds(stats[3]) }
    : null;
  return buildParsedLoad({
    durationSeconds,
    successfulRequests: requests - non2xx,
    non2xx,
    socketErrors: connect + read + write,
    timeoutErrors: timeout,
    bytes,
    latencyUs,
    samples: [],
    raw: text,
  });
}

/** wrk's "Requests/sec:" line (all responses, errors included; kept for cross-checks only). */
export function wrkPrintedRequestsPerSecond(text: string): number | null {
  const match = /^Requests\/sec:\s+(\S+)\s*$/m.exec(text);
  return match ? parseSiNumber(match[1]) : null;
}

/** Parses wrk's stdout: the JSON report of the generated script, or else wrk's plain text. */
export function parseWrkReport(text: string): ParsedLoad {
  const line = text.split('\n').find((candidate) => candidate.startsWith(WRK_REPORT_MARKER));
  if (line === undefined) return parseWrkText(text);
  let report: WrkDoneReport;
  try {
    report = JSON.parse(line.slice(WRK_REPORT_MARKER.length)) as WrkDoneReport;
  } catch (error) {
    throw new Error(`wrk JSON report is not valid JSON: ${(error as Error).message}`);
  }
  if (report.format !== 1) throw new Error(`unknown wrk report format ${String(report.format)}`);
  return parseDoneReport(report, text);
}

/** "wrk debian/4.1.0-3+b2 [epoll] Copyright …" → "debian/4.1.0-3+b2". */
export function parseWrkVersion(output: string): string | null {
  const match = /^wrk\s+(\S+)/m.exec(output);
  return match ? match[1] : null;
}

/** Command-line arguments for one run (pure). */
export function wrkArguments(request: LoadRequest, scriptPath: string): string[] {
  const checked = checkRequest(request);
  if (!Number.isInteger(checked.durationSeconds)) {
    throw new Error(`wrk takes whole seconds: durationSeconds ${checked.durationSeconds} is not an integer`);
  }
  if (checked.connections < checked.threads) {
    throw new Error(`wrk needs at least one connection per thread (connections ${checked.connections} < threads ${checked.threads})`);
  }
  return [
    '--threads', String(checked.threads),
    '--connections', String(checked.connections),
    '--duration', `${checked.durationSeconds}s`,
    '--timeout', `${Math.ceil(checked.timeoutSeconds)}s`, // wrk takes whole time units
    '--latency',
    '--script', scriptPath,
    `${checked.origin}${checked.paths[0]}`,
  ];
}

export const wrkGenerator: LoadGenerator = {
  name: 'wrk',
  installHint: WRK_INSTALL_HINT,

  async detect(): Promise<ToolInfo | null> {
    const path = findExecutable('wrk');
    if (path === null) return null;
    // `wrk --version` prints the version and the usage, then exits with status 1.
    const output = await execFileAsync(path, ['--version']).then(
      (done) => done.stdout + done.stderr,
      (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`,
    );
    const version = parseWrkVersion(output);
    if (version === null) throw new Error(`${path} --version printed no wrk version: ${output.slice(0, 200)}`);
    return { name: 'wrk', version, path };
  },

  run: (request, onSample) => runWrk(request, {}, onSample),
};

/** One wrk run of `request`; `pacedRps` paces its sends (wrkLuaScript). */
export async function runWrk(request: LoadRequest, script: { pacedRps?: number }, onSample?: (sample: LoadSample) => void): Promise<LoadResult> {
  const checked = checkRequest(request);
  const path = findExecutable('wrk');
  if (path === null) throw new Error(`wrk is not installed: ${WRK_INSTALL_HINT}`);
  const scriptDir = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
  try {
    const scriptPath = join(scriptDir, 'report.lua');
    const pathsFile = join(scriptDir, 'paths.txt');
    writeFileSync(pathsFile, `${checked.paths.join('\n')}\n`);
    writeFileSync(scriptPath, wrkLuaScript({
      pathsFile, keepAlive: checked.keepAlive, pipeline: checked.pipeline, headers: checked.headers,
      connectionsPerThread: Math.floor(checked.connections / checked.threads), pacedRps: script.pacedRps,
    }));
    const limitMs = overrunLimitMs(checked);
    const run = await runToolProcess({
      command: path,
      args: wrkArguments(request, scriptPath),
      timeoutMs: limitMs,
      cpus: request.cpus,
      isReadyLine: (line) => line === WRK_READY_MARKER,
      isFinalReportLine: (line) => line.startsWith(WRK_REPORT_MARKER),
    });
    const measured = { cpuSeconds: run.cpuSeconds, wallSeconds: run.wallSeconds };
    const abnormal = describeAbnormalExit('wrk', run, limitMs);
    if (abnormal !== null) return failedResult(abnormal, rawOutput(run), measured);
    let parsed: ParsedLoad;
    try {
      parsed = parseWrkReport(run.stdout);
    } catch (error) {
      return failedResult(`wrk output unreadable: ${(error as Error).message}`, run.stdout, measured);
    }
    for (const sample of parsed.samples) onSample?.(sample);
    return completeResult(parsed, measured);
  } finally {
    rmSync(scriptDir, { recursive: true, force: true });
  }
}
