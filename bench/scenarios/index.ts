/**
 * The load scenarios, one table. Every chapter gets exactly the same requests.
 *
 * - hot:   one fixed search (a quarter of 2022), keep-alive — the headline.
 * - mix:   seeded Zipf draws over 100,000 distinct date ranges (7–90 days within the
 *          feed's 2021–2023; zipf.ts), so a response cache meets a realistic skew.
 * - close: the hot search with `Connection: close` — a new TCP connection per request.
 * - hot-gzip, mix-gzip: hot and mix with `Accept-Encoding: gzip, br`, as browsers send it:
 *          what a server that compresses puts on the wire (runs.bytes_transferred, view wire_bytes).
 * - sweep: the hot search at rising concurrency (see SWEEP_STEPS) until the error
 *          rate or the p99 limit is crossed; the last healthy step is the capacity.
 * - capacity-hot, capacity-mix, capacity-wide: the highest offered rate (open loop) that meets
 *          the service's objective (p99 ≤ 50 ms, ≤ 0.1% errors) on that request set (capacity.ts).
 * - overload-mix: the overload steps on the mix's requests. soak: the mix at 80% of its capacity
 *          for ten minutes, RSS and p99 per second (soak.ts). ingest-mix-overload: the provider
 *          sending documents while the mix is offered in overload steps (ingest-overload.ts).
 */
import { seededRandom } from '../stats/descriptive.ts';
import { DEFAULT_ZIPF_MIX, windowUniverse, zipfPaths } from './zipf.ts';

export type OpenLoopScenarioName = 'overload' | 'adaptive-ramp' | 'scaling-ramp' | 'overload-mix' | 'ingest-mix-overload';
export type CapacityScenarioName = 'capacity-hot' | 'capacity-mix' | 'capacity-wide';
export type ScenarioName = 'hot' | 'mix' | 'close' | 'hot-gzip' | 'mix-gzip' | 'sweep' | 'ingest' | 'hot-x4' | 'hot-x16' | OpenLoopScenarioName | CapacityScenarioName | 'soak' | 'fairness';
export const SCENARIO_NAMES: readonly ScenarioName[] = [
  'hot', 'mix', 'close', 'hot-gzip', 'mix-gzip', 'sweep', 'ingest', 'hot-x4', 'hot-x16', 'overload', 'adaptive-ramp', 'scaling-ramp',
  'capacity-hot', 'capacity-mix', 'capacity-wide', 'overload-mix', 'soak', 'ingest-mix-overload', 'fairness',
];
export const DEFAULT_SCENARIOS: readonly ScenarioName[] = ['hot', 'mix', 'close'];

export interface Scenario {
  name: ScenarioName;
  description: string;
  paths: string[];
  keepAlive: boolean;
  /** Extra request headers on every request (the gzip scenarios' Accept-Encoding); none when absent. */
  headers?: Record<string, string>;
  /** Descriptive: concurrency is stepped (sweep). What a round does is the scenario module's (registry.ts). */
  stepped: boolean;
}

export const HOT_PATH = '/search?starts_at=2022-01-01T00:00:00Z&ends_at=2022-03-31T23:59:59Z';
/** What the gzip scenarios ask for: what browsers send (they accept brotli too; the server chooses). */
export const ACCEPT_COMPRESSED = { 'Accept-Encoding': 'gzip, br' } as const;
export const MIX_SEED = 20210601;

/**
 * The open-loop scenarios' requests: 20,000 distinct windows of 180–365 days (seeded; about
 * three times the hot window's events on average), in order. Each is asked for once per
 * cycle, so a response cache misses, and every request costs a wide search and a large
 * answer: a server's capacity here is a few times lower than on `hot`.
 */
export const WIDE_WINDOWS = { count: 20_000, seed: 20240229, days: { min: 180, max: 365 } } as const;

/**
 * The mix's requests, drawn once per process: 200,000 Zipf draws cost about a second of CPU, and
 * the mix-based scenarios (mix, mix-gzip, overload-mix, capacity-mix, soak, ingest-mix-overload)
 * all ask for them — building every scenario module (`--list`) drew them seven times.
 * Each caller gets its own copy of the same list.
 */
let mixRequests: readonly string[] | undefined;
function mixPathsOnce(): string[] {
  mixRequests ??= zipfPaths();
  return [...mixRequests];
}

export function widePaths(): string[] {
  return windowUniverse(WIDE_WINDOWS.count, WIDE_WINDOWS.seed, WIDE_WINDOWS.days);
}
export const MIX_RANGES = 64;

const DAY_MS = 86_400_000;
const FEED_START = Date.UTC(2021, 0, 1);
const FEED_DAYS = 3 * 365;

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Distinct date ranges from a fixed seed: the same list on every machine, every time. */
export function mixPaths(count = MIX_RANGES, seed = MIX_SEED): string[] {
  const random = seededRandom(seed);
  const paths = new Set<string>();
  while (paths.size < count) {
    const length = 7 + Math.floor(random() * 84);
    const startDay = Math.floor(random() * (FEED_DAYS - length));
    const starts = FEED_START + startDay * DAY_MS;
    const ends = starts + length * DAY_MS;
    paths.add(`/search?starts_at=${isoDay(starts)}T00:00:00Z&ends_at=${isoDay(ends)}T00:00:00Z`);
  }
  return [...paths];
}

export function scenario(name: ScenarioName): Scenario {
  switch (name) {
    case 'hot':
      return { name, description: 'one fixed search, keep-alive', paths: [HOT_PATH], keepAlive: true, stepped: false };
    case 'mix':
      return { name, description: `seeded Zipf draws over ${DEFAULT_ZIPF_MIX.windows} distinct date ranges, keep-alive`, paths: mixPathsOnce(), keepAlive: true, stepped: false };
    case 'close':
      return { name, description: 'the hot search, Connection: close (a new TCP connection per request)', paths: [HOT_PATH], keepAlive: false, stepped: false };
    case 'hot-gzip':
      return { ...scenario('hot'), name, description: 'the hot search, keep-alive, Accept-Encoding: gzip, br', headers: { ...ACCEPT_COMPRESSED } };
    case 'mix-gzip':
      return { ...scenario('mix'), name, description: `${scenario('mix').description}, Accept-Encoding: gzip, br`, headers: { ...ACCEPT_COMPRESSED } };
    case 'sweep':
      return { name, description: 'the hot search at rising concurrency until an error-rate or p99 limit is crossed', paths: [HOT_PATH], keepAlive: true, stepped: true };
    case 'ingest':
      return { name, description: 'the hot search with the provider quiet, then delivering a large document on every poll', paths: [HOT_PATH], keepAlive: true, stepped: false };
    case 'overload':
      return { name, description: 'open loop: fixed arrival rates from 0.5× to 3× the closed-loop throughput over wide windows', paths: widePaths(), keepAlive: true, stepped: true };
    case 'adaptive-ramp':
      return { name, description: 'open loop: a ramp from 0.5× to 2.5× the closed-loop throughput and back over wide windows, the limiter recorded per second', paths: widePaths(), keepAlive: true, stepped: true };
    case 'scaling-ramp':
      return { name, description: 'open loop: a gradual ramp from 0.5× to 2.5× the closed-loop throughput over wide windows, the scaling signals recorded per second', paths: widePaths(), keepAlive: true, stepped: true };
    case 'fairness':
      return { name, description: 'a greedy client (wrk, 512 connections, paced) at 2× and 5× the closed-loop throughput over wide windows while a polite one sends the hot search every 250 ms, on new connections and on one kept-alive', paths: widePaths(), keepAlive: true, stepped: true };
    case 'overload-mix':
      return { name, description: "open loop: fixed arrival rates from 0.5× to 3× the closed-loop throughput over the mix's requests", paths: mixPathsOnce(), keepAlive: true, stepped: true };
    case 'ingest-mix-overload':
      return { name, description: "open loop: the mix's requests in overload steps while the provider sends a large document on every poll", paths: mixPathsOnce(), keepAlive: true, stepped: true };
    case 'capacity-hot':
      return { name, description: "the highest offered rate (open loop) meeting the objective (p99 ≤ 50 ms, ≤ 0.1% errors) on the hot search", paths: [HOT_PATH], keepAlive: true, stepped: true };
    case 'capacity-mix':
      return { name, description: "the highest offered rate (open loop) meeting the objective (p99 ≤ 50 ms, ≤ 0.1% errors) on the mix's requests", paths: mixPathsOnce(), keepAlive: true, stepped: true };
    case 'capacity-wide':
      return { name, description: 'the highest offered rate (open loop) meeting the objective (p99 ≤ 50 ms, ≤ 0.1% errors) on the wide windows of the overload scenarios', paths: widePaths(), keepAlive: true, stepped: true };
    case 'soak':
      return { name, description: "open loop: the mix's requests at 80% of their capacity against the objective for ten minutes, the server's memory and p99 per second", paths: mixPathsOnce(), keepAlive: true, stepped: false };
    case 'hot-x4':
    case 'hot-x16':
      return { name, description: `the hot search over a catalogue ${catalogueScale(name)}× the default feed (as many plans a year, over ${catalogueScale(name)}× the years)`, paths: [HOT_PATH], keepAlive: true, stepped: false };
  }
}

/** How many times the default feed a catalogue-size scenario's provider serves (hot-x4 → 4). */
export function catalogueScale(name: 'hot-x4' | 'hot-x16'): number {
  return Number(name.slice('hot-x'.length));
}

/** Concurrency steps of the sweep. */
export const SWEEP_STEPS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

export interface SweepLimits {
  /** Highest acceptable share of failed requests (errors + non-2xx) at a step. */
  maxErrorRate: number;
  /** Highest acceptable p99 latency at a step, ms. */
  maxP99Ms: number;
}

export const DEFAULT_SWEEP_LIMITS: SweepLimits = { maxErrorRate: 0.01, maxP99Ms: 250 };

export interface StepOutcome {
  ok: boolean;
  totalRequests: number;
  failedRequests: number;
  p99LatencyUs: number | null;
}

/** Whether a sweep step is healthy; the reason when it is not. */
export function stepHealth(step: StepOutcome, limits: SweepLimits): { healthy: boolean; reason?: string } {
  if (!step.ok) return { healthy: false, reason: 'the run failed' };
  const errorRate = step.totalRequests > 0 ? step.failedRequests / step.totalRequests : 1;
  if (errorRate > limits.maxErrorRate) return { healthy: false, reason: `error rate ${(errorRate * 100).toFixed(2)}% > ${limits.maxErrorRate * 100}%` };
  if (step.p99LatencyUs === null) return { healthy: false, reason: 'no latency measured' };
  if (step.p99LatencyUs / 1000 > limits.maxP99Ms) return { healthy: false, reason: `p99 ${(step.p99LatencyUs / 1000).toFixed(1)} ms > ${limits.maxP99Ms} ms` };
  return { healthy: true };
}
