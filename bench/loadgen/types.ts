// The contract between the bench runner and the load generators (agreed interface: keep it exactly).
// Every adapter (autocannon, wrk, oha) turns one LoadRequest into one LoadResult.

export interface LoadRequest {
  url: string;               // base URL, must be http://127.0.0.1:<port> or http://localhost:<port> (refuse anything else)
  paths: string[];           // one path (hot) or several (mix: each connection cycles through them)
  connections: number;
  durationSeconds: number;   // bounded: the tool stops by itself
  keepAlive: boolean;        // false → 'Connection: close', a new TCP connection per request
  threads?: number;          // wrk/oha worker threads (default 1: the server shares the 2 cores)
  timeoutSeconds?: number;   // per-request timeout (default 10)
  cpus?: string;             // pinned: run the tool on these CPUs (a taskset list, e.g. "1"); see bench/proc/pinning.ts
  pipeline?: number;         // requests sent at once on each keep-alive connection (default 1; wrk only): a lighter load for the generator
  headers?: Record<string, string>; // extra request headers on every request (hot-gzip: Accept-Encoding); none by default
}

export interface LatencyUs { avg: number; p50: number; p90: number; p99: number; max: number }

export interface LoadSample { second: number; requestsPerSecond: number; errors: number; p99LatencyUs: number | null }

export interface LoadResult {
  ok: boolean;               // false: the tool failed, or no successful (2xx) response at all
  failure?: string;          // why, when !ok (e.g. "all 9 requests aborted at the deadline")
  requestsPerSecond: number | null;   // successful (2xx) responses per second; never includes errors
  totalRequests: number; successfulRequests: number; non2xx: number; socketErrors: number; timeoutErrors: number; bytes: number;
  latencyUs: LatencyUs | null;        // null when never sampled — never zeros
  samples: LoadSample[];              // per-second samples (see adapter notes)
  raw: string;                        // the tool's raw output, stored verbatim
  cpuSeconds: number | null;          // the load generator process's own CPU time (user+sys), from /proc
  wallSeconds: number;
}

export interface ToolInfo { name: 'autocannon' | 'wrk' | 'oha'; version: string; path: string }

export interface LoadGenerator {
  name: 'autocannon' | 'wrk' | 'oha';
  installHint: string;                         // e.g. "apt-get install wrk"
  detect(): Promise<ToolInfo | null>;          // null when not installed
  run(request: LoadRequest, onSample?: (s: LoadSample) => void): Promise<LoadResult>;
}
