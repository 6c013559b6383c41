// oha adapter (Rust, `cargo install oha`; used when on PATH — it cannot be installed on the
// bench machines, so its parser is pinned by real reports in fixtures/).
//  - JSON output: `--output-format json` since oha 1.9, `-j` before (chosen from `oha --version`).
//  - Several paths: `--urls-from-file <file>` when `oha --help` lists it, otherwise
//    `--rand-regex-url` with an alternation of the escaped paths. Either way oha picks a path at
//    random for every request (a uniform mix), not a strict per-connection cycle.
//  - Requests still in flight when the duration ends are "aborted due to deadline" by oha; like
//    wrk's and autocannon's unfinished requests they are neither successes nor errors, but a
//    run in which every request was aborted is a failed run.
//  - oha reports no per-second series in its JSON, so samples are empty; it has no thread-count
//    flag (tokio uses one worker per core), so `threads` is not passed.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { checkRequest, overrunLimitMs } from './request.ts';
import { describeAbnormalExit, rawOutput, runToolProcess } from './process.ts';
import { findExecutable } from '../proc/executable.ts';
import { buildParsedLoad, completeResult, failedResult, type ParsedLoad } from './result.ts';
import type { LatencyUs, LoadGenerator, LoadRequest, LoadResult, ToolInfo } from './types.ts';

const execFileAsync = promisify(execFile);
const OHA_INSTALL_HINT = 'cargo install oha (or see https://github.com/hatoo/oha#installation)';

/** The fields of oha's JSON report this adapter reads; oha writes null for never-sampled statistics. */
export interface OhaReportJson {
  summary: { total: number | null; average: number | null; slowest: number | null; totalData: number | null }; // seconds, bytes
  latencyPercentiles: Record<string, number | null>; // seconds
  statusCodeDistribution: Record<string, number>;
  errorDistribution: Record<string, number>;
}

const DEADLINE_ABORT = /aborted due to deadline/i;
const TIMEOUT = /time(d)?[ -]?out/i;

/** Parses oha's JSON report (text or parsed object). */
export function parseOhaReport(json: string | object): ParsedLoad {
  const raw = typeof json === 'string' ? json : JSON.stringify(json);
  let report: OhaReportJson;
  try {
    report = (typeof json === 'string' ? JSON.parse(json) : json) as OhaReportJson;
  } catch (error) {
    throw new Error(`oha output is not JSON: ${(error as Error).message}`);
  }
  if (typeof report !== 'object' || report === null || typeof report.summary !== 'object' || report.summary === null) {
    throw new Error('oha output has no "summary" object');
  }
  let successful = 0;
  let non2xx = 0;
  for (const [status, count] of Object.entries(report.statusCodeDistribution ?? {})) {
    if (/^2\d\d$/.test(status)) successful += count;
    else non2xx += count;
  }
  let socketErrors = 0;
  let timeoutErrors = 0;
  let abortedAtDeadline = 0;
  for (const [message, count] of Object.entries(report.errorDistribution ?? {})) {
    if (DEADLINE_ABORT.test(message)) abortedAtDeadline += count;
    else if (TIMEOUT.test(message)) timeoutErrors += count;
    else socketErrors += count;
  }
  const seconds = (value: number | null | undefined): number | null => (typeof value === 'number' && Number.isFinite(value) ? value * 1e6 : null);
  const percentiles = report.latencyPercentiles ?? {};
  const avg = seconds(report.summary.average);
  const p50 = seconds(percentiles.p50);
  const p90 = seconds(percentiles.p90);
  const p99 = seconds(percentiles.p99);
  const max = seconds(report.summary.slowest);
  const responses = successful + non2xx;
  const latencyUs: LatencyUs | null = responses > 0 && avg !== null && p50 !== null && p90 !== null && p99 !== null && max !== null
    ? { avg, p50, p90, p99, max }
    : null;
  const everyRequestAborted = responses === 0 && socketErrors === 0 && timeoutErrors === 0 && abortedAtDeadline > 0;
  return buildParsedLoad({
    durationSeconds: typeof report.summary.total === 'number' ? report.summary.total : null,
    successfulRequests: successful,
    non2xx,
    socketErrors,
    timeoutErrors,
    bytes: report.summary.totalData ?? 0,
    latencyUs,
    samples: [],
    raw,
    toolFailure: everyRequestAborted ? `all ${abortedAtDeadline} requests aborted at the deadline` : undefined,
    extraFailureDetail: abortedAtDeadline > 0 ? `${abortedAtDeadline} requests aborted at the deadline` : undefined,
  });
}

/** "oha 1.16.0" → "1.16.0". */
export function parseOhaVersion(output: string): string | null {
  const match = /\boha\s+v?(\d+\.\d+\.\d+\S*)/.exec(output);
  return match ? match[1] : null;
}

function versionAtLeast(version: string, major: number, minor: number): boolean {
  const [vMajor, vMinor] = version.split('.').map((part) => Number.parseInt(part, 10));
  return vMajor > major || (vMajor === major && vMinor >= minor);
}

/** The flags that ask this oha version for JSON on stdout. */
export function ohaJsonFlags(version: string): string[] {
  return versionAtLeast(version, 1, 9) ? ['--output-format', 'json'] : ['-j'];
}

function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/**
 * Command-line arguments for one run (pure). `urlsFile` is where the caller writes
 * `urlsFileContent` when several paths go through --urls-from-file.
 */
export function ohaArguments(
  request: LoadRequest,
  tool: { version: string; supportsUrlsFromFile: boolean },
  urlsFile: string,
): { args: string[]; urlsFileContent: string | null } {
  const checked = checkRequest(request);
  const args = [
    '--no-tui',
    ...ohaJsonFlags(tool.version),
    '-z', `${Math.round(checked.durationSeconds * 1000)}ms`,
    '-c', String(checked.connections),
    '-t', `${Math.round(checked.timeoutSeconds * 1000)}ms`,
  ];
  if (!checked.keepAlive) args.push('--disable-keepalive');
  for (const [name, value] of Object.entries(checked.headers)) args.push('-H', `${name}: ${value}`);
  if (checked.paths.length === 1) return { args: [...args, `${checked.origin}${checked.paths[0]}`], urlsFileContent: null };
  if (tool.supportsUrlsFromFile) {
    return {
      args: [...args, '--urls-from-file', urlsFile],
      urlsFileContent: checked.paths.map((path) => `${checked.origin}${path}\n`).join(''),
    };
  }
  const alternation = checked.paths.map(escapeRegex).join('|');
  return { args: [...args, '--rand-regex-url', `${escapeRegex(checked.origin)}(${alternation})`], urlsFileContent: null };
}

async function commandOutput(path: string, args: string[]): Promise<string> {
  return execFileAsync(path, args).then(
    (done) => done.stdout + done.stderr,
    (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`,
  );
}

async function detectOha(): Promise<ToolInfo | null> {
  const path = findExecutable('oha');
  if (path === null) return null;
  const output = await commandOutput(path, ['--version']);
  const version = parseOhaVersion(output);
  if (version === null) throw new Error(`${path} --version printed no oha version: ${output.slice(0, 200)}`);
  return { name: 'oha', version, path };
}

export const ohaGenerator: LoadGenerator = {
  name: 'oha',
  installHint: OHA_INSTALL_HINT,

  detect: detectOha,

  async run(request: LoadRequest): Promise<LoadResult> {
    const checked = checkRequest(request);
    if (checked.pipeline > 1) throw new Error(`oha: pipelining is wrk's here (request.pipeline ${checked.pipeline} > 1): use --tool wrk`);
    const tool = await detectOha();
    if (tool === null) throw new Error(`oha is not installed: ${OHA_INSTALL_HINT}`);
    const supportsUrlsFromFile = checked.paths.length > 1 && (await commandOutput(tool.path, ['--help'])).includes('--urls-from-file');
    const workDir = mkdtempSync(join(tmpdir(), 'bench-oha-'));
    try {
      const urlsFile = join(workDir, 'urls.txt');
      const { args, urlsFileContent } = ohaArguments(request, { version: tool.version, supportsUrlsFromFile }, urlsFile);
      if (urlsFileContent !== null) writeFileSync(urlsFile, urlsFileContent);
      const limitMs = overrunLimitMs(checked);
      const run = await runToolProcess({ command: tool.path, args, timeoutMs: limitMs, cpus: request.cpus });
      const measured = { cpuSeconds: run.cpuSeconds, wallSeconds: run.wallSeconds };
      const abnormal = describeAbnormalExit('oha', run, limitMs);
      if (abnormal !== null) return failedResult(abnormal, rawOutput(run), measured);
      let parsed: ParsedLoad;
      try {
        parsed = parseOhaReport(run.stdout);
      } catch (error) {
        return failedResult(`oha output unreadable: ${(error as Error).message}`, run.stdout, measured);
      }
      return completeResult(parsed, measured);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  },
};
