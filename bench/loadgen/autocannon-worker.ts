// Child process that drives autocannon through its JS API, so the load generator never shares
// an event loop with the bench orchestrator and its CPU time is its own (read from /proc).
//
// Input: argv[2] = JSON AutocannonWorkerConfig. Output: JSON lines on stdout —
//   {"type":"start"}  {"type":"sample","sample":LoadSample}  {"type":"result",...AutocannonWorkerReport}
// After the result line the worker waits for stdin to close, so the parent can read its final
// CPU time from /proc before it exits.
//
// Latency: autocannon's own histogram keeps whole milliseconds (a fast local server shows
// "p50 0 ms"), so the worker also records every response time in microseconds in an HDR
// histogram (hdr-histogram-js, the library autocannon itself uses). Like autocannon's default,
// every completed response counts, whatever its status.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

interface AutocannonWorkerConfig {
  origin: string;
  paths: string[];
  connections: number;
  durationSeconds: number;
  keepAlive: boolean;
  timeoutSeconds: number;
  headers?: Record<string, string>;
}
interface Sample { second: number; requestsPerSecond: number; errors: number; p99LatencyUs: number | null }
interface Histogram {
  recordValue(value: number): void;
  getValueAtPercentile(percentile: number): number;
  readonly mean: number;
  readonly maxValue: number;
  readonly totalCount: number;
}
// Minimal views of autocannon internals this worker touches (autocannon 9).
interface AutocannonClient {
  on(event: 'response', listener: () => void): void;
  _doRequest(...args: unknown[]): void;
  _resetConnection(): void;
}
interface Tracker {
  on(event: 'start', listener: () => void): void;
  on(event: 'tick', listener: () => void): void;
  on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void): void;
  on(event: 'reqError', listener: (error: Error) => void): void;
  on(event: 'done', listener: (result: unknown) => void): void;
}
type Autocannon = ((options: Record<string, unknown>, callback: (error: Error | null, result: unknown) => void) => Tracker) & {
  track?: unknown;
};

const requireHere = createRequire(import.meta.url);
const autocannonEntry = requireHere.resolve('autocannon');
const autocannon = requireHere(autocannonEntry) as Autocannon;
const autocannonVersion = (requireHere('autocannon/package.json') as { version: string }).version;
// The HDR library autocannon depends on, resolved from autocannon's own location.
const hdr = createRequire(autocannonEntry)('hdr-histogram-js') as {
  build(options: Record<string, unknown>): Histogram;
};

const MIN_SAMPLE_SECONDS = 0.25;

function emit(message: unknown): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function percentileOfSorted(sorted: number[], percentile: number): number {
  const rank = Math.ceil((percentile / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/**
 * keepAlive=false: autocannon has no switch for it. Its `reconnectRate: 1` drops the very
 * response that triggers the reconnect (httpClient.js returns before emitting 'response'), and
 * a bare `Connection: close` header leaves a stale request in its queue, inflating every later
 * latency. So after each response the client is reconnected before it sends the next request.
 */
function closeAfterEachResponse(client: AutocannonClient): void {
  if (typeof client._doRequest !== 'function' || typeof client._resetConnection !== 'function') {
    throw new Error(`autocannon ${autocannonVersion}: client internals changed; keepAlive=false is not supported`);
  }
  const sendRequest = client._doRequest.bind(client);
  let responded = false;
  client.on('response', () => { responded = true; });
  client._doRequest = (...args: unknown[]) => {
    if (responded) {
      responded = false;
      client._resetConnection(); // connects anew, then calls _doRequest again (responded is now false)
      return;
    }
    sendRequest(...args);
  };
}

function main(): void {
  const config = JSON.parse(process.argv[2] ?? '') as AutocannonWorkerConfig;
  const latencies = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
    useWebAssembly: false,
  });
  const samples: Sample[] = [];
  let bucketStart = performance.now();
  let bucketSuccess = 0;
  let bucketErrors = 0;
  let bucketLatenciesUs: number[] = [];

  const flushBucket = (): void => {
    const now = performance.now();
    const widthSeconds = (now - bucketStart) / 1000;
    // When the run stops on a whole second, autocannon's stop tick follows the regular one by a
    // few ms: a sliver that narrow is no per-second sample (its responses stay in the totals).
    if (widthSeconds < MIN_SAMPLE_SECONDS) return;
    bucketLatenciesUs.sort((a, b) => a - b);
    const sample: Sample = {
      second: samples.length + 1,
      requestsPerSecond: bucketSuccess / widthSeconds,
      errors: bucketErrors,
      p99LatencyUs: bucketLatenciesUs.length > 0 ? percentileOfSorted(bucketLatenciesUs, 99) : null,
    };
    samples.push(sample);
    emit({ type: 'sample', sample });
    bucketStart = now;
    bucketSuccess = 0;
    bucketErrors = 0;
    bucketLatenciesUs = [];
  };

  const headers: Record<string, string> = { ...config.headers, ...(config.keepAlive ? {} : { connection: 'close' }) };
  const tracker = autocannon(
    {
      url: config.origin,
      connections: config.connections,
      duration: config.durationSeconds,
      timeout: config.timeoutSeconds,
      headers,
      // one request per path: every connection cycles through them in order
      requests: config.paths.map((path) => ({ method: 'GET', path })),
      setupClient: config.keepAlive ? () => {} : closeAfterEachResponse,
    },
    (error, result) => {
      if (error) {
        process.stderr.write(`autocannon failed: ${error.stack ?? error.message}\n`);
        process.exit(1);
      }
      const count = latencies.totalCount;
      emit({
        type: 'result',
        tool: { name: 'autocannon', version: autocannonVersion },
        latencyUs:
          count > 0
            ? {
                avg: latencies.mean,
                p50: latencies.getValueAtPercentile(50),
                p90: latencies.getValueAtPercentile(90),
                p99: latencies.getValueAtPercentile(99),
                max: latencies.maxValue,
              }
            : null,
        samples,
        autocannon: result,
      });
      // Keep running until the parent has read our CPU time and closes stdin.
      process.stdin.resume();
      process.stdin.on('end', () => process.exit(0));
      process.stdin.on('error', () => process.exit(0));
    },
  );
  tracker.on('start', () => {
    bucketStart = performance.now();
    emit({ type: 'start' });
  });
  tracker.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
    const us = Math.max(1, Math.round(responseTimeMs * 1000));
    latencies.recordValue(us);
    bucketLatenciesUs.push(us);
    if (statusCode >= 200 && statusCode < 300) bucketSuccess += 1;
    else bucketErrors += 1;
  });
  tracker.on('reqError', () => { bucketErrors += 1; });
  // autocannon ticks once a second, and once more when it stops (the last, partial second).
  tracker.on('tick', flushBucket);
}

main();
