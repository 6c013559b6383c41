// wrk adapter (Debian package `wrk`, LuaJIT-scripted). The generated Lua script:
//  - reads the request paths from a file in init() and builds every (pipelined) batch there, so
//    request() only hands out the thread's next prebuilt string (every connection sees the mix);
//  - says when it is ready (its start-up done) and waits, so the runner counts wrk's CPU and
//    wall time from the start of the load (a mix's start-up is not the load's cost);
//  - counts answers per second on a monotonic clock (LuaJIT's FFI): in request() for the steady
//    load (a batch asked for = the previous batch answered), in response() with status classes
//    for the paced greedy client (see scriptCounting in wrk-script.ts);
//  - prints one JSON report from done() (summary, latency percentiles, status counts,
//    buckets gathered with thread:get), then waits on stdin until the runner has read wrk's
//    CPU time from /proc.
// Per-second samples from wrk carry `errors` = non-2xx responses only (socket errors never reach
// Lua; a steady run with any error has no samples) and `p99LatencyUs: null` (Lua is not given
// the latency). They arrive when the run ends, not live.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
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
import { WRK_READY_MARKER, WRK_REPORT_MARKER, wrkLuaScript, type WrkDoneReport } from './wrk-script.ts';

const execFileAsync = promisify(execFile);

const WRK_INSTALL_HINT = 'apt-get install wrk';
/** A trailing bucket narrower than this is no per-second sample (its responses stay in the totals). */
const MIN_SAMPLE_SECONDS = 0.25;

function samplesFromBuckets(seconds: WrkDoneReport['seconds'], durationSeconds: number): LoadSample[] {
  const samples: LoadSample[] = [];
  for (const bucket of seconds) {
    const width = Math.min(1, durationSeconds - bucket.second);
    if (width < MIN_SAMPLE_SECONDS) continue;
    samples.push({ second: bucket.second + 1, requestsPerSecond: bucket.success / width, errors: bucket.other, p99LatencyUs: null });
  }
  return samples;
}

/**
 * Whether wrk's percentiles lie within its own minimum and maximum. wrk 4.1 corrects its
 * histogram for coordinated omission after the run (stats_correct, with the mean interval per
 * connection) and may add samples below the lowest latency it recorded; its percentile walks
 * from that minimum but ranks against a count that includes them, and answers 0 when the walk
 * ends short (39 of the 566 runs of edition 47, all pipelined). Such a run has no latency
 * figures: never a 0 µs p99.
 */
function percentilesInRange(percentiles: number[], min: number, max: number): boolean {
  return percentiles.every((p) => p >= min && p <= max);
}

function parseDoneReport(report: WrkDoneReport, raw: string): ParsedLoad {
  const { summary, latency } = report;
  const durationSeconds = summary.duration / 1e6;
  const latencyUs: LatencyUs | null = latency === null || summary.requests === 0 || !percentilesInRange([latency.p50, latency.p90, latency.p99], latency.min, latency.max)
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
  const max = stats ? parseDurationToMicroseconds(stats[3]) : NaN;
  // The text prints no minimum; a latency is never 0 µs, so a printed 0.00us is the same fall off the histogram.
  const latencyUs: LatencyUs | null = stats && requests > 0 && p50 !== null && p90 !== null && p99 !== null && percentilesInRange([p50, p90, p99], Number.MIN_VALUE, max)
    ? { avg: parseDurationToMicroseconds(stats[1]), p50, p90, p99, max }
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
  if (checked.connections < checked.threads) {
    throw new Error(`wrk needs at least one connection per thread (connections ${checked.connections} < threads ${checked.threads})`);
  }
  return [
    '--threads', String(checked.threads),
    '--connections', String(checked.connections),
    // wrk takes whole seconds: a shorter run asks the next whole second and is interrupted (runWrk).
    '--duration', `${Math.ceil(checked.durationSeconds)}s`,
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

/** A list of at least this many paths is written to its file once (pathsFileOf), the latest SHARED_PATHS_FILES lists kept. */
export const SHARED_PATHS_FILE_MIN = 1000;
const SHARED_PATHS_FILES = 8;
const sharedPathsFiles = new Map<readonly string[], { file: string; count: number }>();
let sharedPathsDir: string | null = null;

function sharedDir(): string {
  if (sharedPathsDir === null) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-wrk-paths-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    sharedPathsDir = dir;
  }
  return sharedPathsDir;
}

/**
 * The file the script reads `paths` from, one a line. A long list (a mix's 200,000 paths: 0.1 s
 * to join and write, at each of a slice's two wrk starts) is written once and reused while it
 * is among the latest lists, keyed by the caller's list, in a directory removed when the
 * process exits; a short one is written into `runDir`.
 */
export function pathsFileOf(paths: readonly string[], runDir: string): string {
  const text = (): string => `${paths.join('\n')}\n`;
  if (paths.length < SHARED_PATHS_FILE_MIN) {
    const file = join(runDir, 'paths.txt');
    writeFileSync(file, text());
    return file;
  }
  const known = sharedPathsFiles.get(paths);
  if (known !== undefined && known.count === paths.length) return known.file;
  const file = join(sharedDir(), `paths-${randomUUID()}.txt`);
  writeFileSync(file, text());
  if (known !== undefined) rmSync(known.file, { force: true });
  sharedPathsFiles.delete(paths);
  sharedPathsFiles.set(paths, { file, count: paths.length });
  for (const [list, old] of sharedPathsFiles) {
    if (sharedPathsFiles.size <= SHARED_PATHS_FILES) break;
    sharedPathsFiles.delete(list);
    rmSync(old.file, { force: true });
  }
  return file;
}

/** One wrk run of `request`; `pacedRps` paces its sends (wrkLuaScript). */
export async function runWrk(request: LoadRequest, script: { pacedRps?: number }, onSample?: (sample: LoadSample) => void): Promise<LoadResult> {
  const checked = checkRequest(request);
  const path = findExecutable('wrk');
  if (path === null) throw new Error(`wrk is not installed: ${WRK_INSTALL_HINT}`);
  const scriptDir = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
  try {
    const scriptPath = join(scriptDir, 'report.lua');
    const pathsFile = pathsFileOf(request.paths, scriptDir);
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
      // wrk ends its sleep on SIGINT and reports what it did: a fraction of a second (a settle) ends so.
      ...(Number.isInteger(checked.durationSeconds) ? {} : { interruptAfterMs: checked.durationSeconds * 1000 }),
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
