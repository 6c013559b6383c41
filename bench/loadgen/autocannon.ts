// autocannon adapter: the default load generator (npm, always installed).
// Runs in a child process (autocannon-worker.ts, compiled once with esbuild — ./worker-file.ts — so no TypeScript
// loader runs inside the measured process) and reads its JSON lines.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';
import { checkRequest, overrunLimitMs } from './request.ts';
import { describeAbnormalExit, rawOutput, runToolProcess } from './process.ts';
import { workerFile } from './worker-file.ts';
import { buildParsedLoad, completeResult, failedResult, type ParsedLoad } from './result.ts';
import type { LatencyUs, LoadGenerator, LoadRequest, LoadResult, LoadSample, ToolInfo } from './types.ts';

const requireHere = createRequire(import.meta.url);

/** The subset of autocannon's result object this adapter reads (autocannon 9). */
export interface AutocannonResultJson {
  duration: number;            // seconds, rounded to 10 ms
  start?: string;              // ISO dates, ms precision
  finish?: string;
  errors: number;              // socket errors + timeouts
  timeouts: number;
  non2xx: number;
  '2xx': number;
  latency: { average: number; p50: number; p90: number; p99: number; max: number; totalCount: number }; // ms
  throughput: { total: number }; // bytes
}

/** The worker's final JSON line (also the fixture format). */
export interface AutocannonWorkerReport {
  type: 'result';
  tool: { name: 'autocannon'; version: string };
  latencyUs: LatencyUs | null;
  samples: LoadSample[];
  autocannon: AutocannonResultJson;
}

function isWorkerReport(value: unknown): value is AutocannonWorkerReport {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'result'
    && typeof (value as { autocannon?: unknown }).autocannon === 'object';
}

function finiteNumber(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`autocannon result: ${what} is not a number`);
  return value;
}

/**
 * Parses autocannon's result: either the worker's report (JSON lines or one JSON document with
 * µs latencies and per-second samples) or a bare autocannon result object (counts only: its
 * latencies are whole milliseconds, so latencyUs is null; no samples).
 */
export function parseAutocannonResult(json: string | object): ParsedLoad {
  const raw = typeof json === 'string' ? json : JSON.stringify(json);
  let document: unknown = json;
  if (typeof json === 'string') {
    const lines = json.split('\n').map((line) => line.trim()).filter((line) => line.startsWith('{'));
    const parsedLines = lines.map((line) => {
      try { return JSON.parse(line) as unknown; } catch { return undefined; }
    });
    document = parsedLines.reverse().find(isWorkerReport);
    if (document === undefined) {
      try {
        document = JSON.parse(json);
      } catch {
        throw new Error('autocannon output holds no result JSON');
      }
    }
  }
  const report: { result: AutocannonResultJson; latencyUs: LatencyUs | null | undefined; samples: LoadSample[] } = isWorkerReport(document)
    ? { result: document.autocannon, latencyUs: document.latencyUs, samples: document.samples }
    : { result: document as AutocannonResultJson, latencyUs: undefined, samples: [] };
  const result = report.result;
  const errors = finiteNumber(result.errors, 'errors');
  const timeouts = finiteNumber(result.timeouts, 'timeouts');
  const successful = finiteNumber(result['2xx'], '2xx');
  let durationSeconds = finiteNumber(result.duration, 'duration');
  if (result.start && result.finish) {
    const measured = (Date.parse(result.finish) - Date.parse(result.start)) / 1000;
    if (Number.isFinite(measured) && measured > 0) durationSeconds = measured;
  }
  // A bare autocannon result has only whole-millisecond latencies (a fast server's p50 reads
  // "0 ms"): too coarse to report in µs, so its latency is left unknown.
  const latencyUs: LatencyUs | null = report.latencyUs ?? null;
  return buildParsedLoad({
    durationSeconds,
    successfulRequests: successful,
    non2xx: finiteNumber(result.non2xx, 'non2xx'),
    socketErrors: errors - timeouts,
    timeoutErrors: timeouts,
    bytes: finiteNumber(result.throughput?.total, 'throughput.total'),
    latencyUs,
    samples: report.samples,
    raw,
  });
}

/**
 * The worker compiled to plain JavaScript once per source version, cached beside the installed
 * autocannon (node_modules/.cache) so that `import 'autocannon'` resolves from there.
 */
function compiledWorkerPath(): string {
  const sourcePath = join(dirname(fileURLToPath(import.meta.url)), 'autocannon-worker.ts');
  const source = readFileSync(sourcePath, 'utf8');
  const compile = () => transformSync(source, { loader: 'ts', format: 'esm', platform: 'node', target: 'node20', sourcefile: sourcePath }).code;
  return workerFile('autocannon-worker', source, compile, 'autocannon');
}

function autocannonVersion(): string {
  return (requireHere('autocannon/package.json') as { version: string }).version;
}

export const autocannonGenerator: LoadGenerator = {
  name: 'autocannon',
  installHint: 'npm install autocannon (it is a dependency of this repository: run npm ci)',

  async detect(): Promise<ToolInfo | null> {
    try {
      return { name: 'autocannon', version: autocannonVersion(), path: dirname(requireHere.resolve('autocannon/package.json')) };
    } catch {
      return null;
    }
  },

  async run(request: LoadRequest, onSample?: (sample: LoadSample) => void): Promise<LoadResult> {
    const checked = checkRequest(request);
    if (checked.pipeline > 1) throw new Error(`autocannon: pipelining is wrk's here (request.pipeline ${checked.pipeline} > 1): use --tool wrk`);
    const config = {
      origin: checked.origin,
      paths: checked.paths,
      connections: checked.connections,
      durationSeconds: checked.durationSeconds,
      keepAlive: checked.keepAlive,
      timeoutSeconds: checked.timeoutSeconds,
      headers: checked.headers,
    };
    const limitMs = overrunLimitMs(checked);
    // A throwing onSample must not crash the stream handler: its first error fails run() once the tool is done.
    let sampleCallbackError: unknown = null;
    const run = await runToolProcess({
      command: process.execPath,
      args: [compiledWorkerPath(), JSON.stringify(config)],
      timeoutMs: limitMs,
      cpus: request.cpus,
      onLine: (line) => {
        if (!onSample || sampleCallbackError !== null || !line.startsWith('{"type":"sample"')) return;
        let sample: LoadSample;
        try {
          sample = (JSON.parse(line) as { sample: LoadSample }).sample;
        } catch {
          return; // the final report carries every sample; a garbled progress line is not fatal
        }
        try {
          onSample(sample);
        } catch (error) {
          sampleCallbackError = error;
        }
      },
      isFinalReportLine: (line) => line.startsWith('{"type":"result"'),
    });
    if (sampleCallbackError !== null) throw sampleCallbackError;
    const measured = { cpuSeconds: run.cpuSeconds, wallSeconds: run.wallSeconds };
    const abnormal = describeAbnormalExit('autocannon', run, limitMs);
    if (abnormal !== null) return failedResult(abnormal, rawOutput(run), measured);
    let parsed: ParsedLoad;
    try {
      parsed = parseAutocannonResult(run.stdout);
    } catch (error) {
      return failedResult(`autocannon output unreadable: ${(error as Error).message}`, run.stdout, measured);
    }
    return completeResult(parsed, measured);
  },
};
