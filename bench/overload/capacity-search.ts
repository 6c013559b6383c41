// Measures a server's capacity against the objective (./objective.ts): one open-loop step per
// probed rate (bench/loadgen/open-loop.ts), the rates chosen by nextRate. Every probe keeps
// its figures and verdict; the probe at the capacity keeps its latency histogram.
import { setTimeout as sleep } from 'node:timers/promises';
import { LatencyHistogram, type HistogramBucket } from '../loadgen/latency-histogram.ts';
import { runOpenLoop } from '../loadgen/open-loop-thread.ts';
import { percentileOfSorted } from '../loadgen/open-loop-tally.ts';
import { capacityOf, DEFAULT_SEARCH, judge, nextRate, SERVICE_OBJECTIVE, type Objective, type SearchSettings } from './objective.ts';

export interface CapacitySearchOptions {
  objective?: Objective;
  search?: SearchSettings;
  /** Seconds per probe, and the first seconds of each left out of its p99 (a new rate's backlog settling). */
  stepSeconds: number;
  settleSeconds: number;
  /**
   * Seconds without load after a probe that left the server work: one that missed the objective
   * with a request never answered (timed out, a socket error, unfinished; failing statuses
   * counted too), whose backlog must drain before the next rate. A probe ends once every
   * request it sent has ended (bench/loadgen/open-loop.ts), so one whose requests were all
   * answered, met or missed, left none.
   */
  pauseSeconds: number;
  connections?: number;
  timeoutSeconds?: number;
  /** A send later than this behind its intended time makes the probe the generator's figure (a miss); the generator's default when absent. */
  lagToleranceMs?: number;
  /** How the pause is waited (a test records it); a timer by default. */
  wait?: (seconds: number) => Promise<void>;
  /** Watches each probe for a disturbed machine (an edition's: steal, other processes on the pinned CPUs); finish() says why, or null. */
  watchProbe?: () => { finish(): string | null };
}

/** A disturbed probe is offered again at its rate this many times at most; still disturbed, the search ends without a figure. */
export const DISTURBED_PROBE_REPEATS = 2;

export interface Probe {
  index: number;
  rate: number;
  measuredSeconds: number;
  offered: number;            // the whole probe (settling included): errors count everywhere
  served: number;
  /** Requests without an answer of the server's (failed: timeouts, socket errors, failing statuses; unfinished; unsent): the server may still hold them. */
  unanswered: number;
  goodputRps: number | null;  // 2xx per measured second
  errorRate: number | null;
  p99Us: number | null;       // served requests of the measured seconds (and the drain after them)
  p999Us: number | null;
  maxUs: number | null;
  generatorBehind: boolean;
  /** The worst send behind its intended time in the measured seconds, µs: the generator's lateness, flagged or not. */
  maxSendLagUs: number;
  /** The generator thread's CPU seconds ÷ the probe's wall seconds. */
  generatorCpuShare: number | null;
  meets: boolean;
  verdict: string;
  /** Why the machine disturbed the probe (it then neither meets nor misses: it is offered again), or null. */
  disturbance: string | null;
}

export interface CapacitySearch {
  objective: Objective;
  capacity: number | null;                // the highest rate that met the objective
  probes: Probe[];
  histogram: HistogramBucket[];           // of the probe at the capacity (empty when none met it)
  generatorLimited: boolean;              // a probe above the capacity failed because the generator was late
  disturbance: string | null;             // a probe still disturbed after its repeats: the search ended there, its capacity is no figure
}

/** One probe: `rate` req/s for stepSeconds, open loop. */
async function probe(url: string, paths: string[], rate: number, index: number, options: CapacitySearchOptions, objective: Objective): Promise<{ probe: Probe; histogram: LatencyHistogram }> {
  const histogram = new LatencyHistogram();
  const latencies: number[] = [];
  let completedMeasured = 0;
  let measuredSeconds = 0;
  let behind = false;
  let maxSendLagUs = 0;
  const watching = options.watchProbe?.();
  const result = await runOpenLoop({
    url, paths, phases: [{ rate, seconds: options.stepSeconds }],
    ...(options.connections === undefined ? {} : { connections: options.connections }),
    ...(options.timeoutSeconds === undefined ? {} : { timeoutSeconds: options.timeoutSeconds }),
    ...(options.lagToleranceMs === undefined ? {} : { lagToleranceMs: options.lagToleranceMs }),
  }, (second) => {
    behind ||= second.generatorBehind;
    if (second.second < options.settleSeconds) return;
    maxSendLagUs = Math.max(maxSendLagUs, second.maxSendLagUs);
    if (second.phaseIndex !== null) measuredSeconds += 1;
    completedMeasured += second.completed;
    for (const latency of second.servedLatenciesUs) {
      latencies.push(latency);
      histogram.record(latency);
    }
  });
  const disturbance = watching?.finish() ?? null;
  latencies.sort((a, b) => a - b);
  const offered = result.totals.offered + result.totals.unsent;
  const served = result.totals.completed;
  const p99Us = percentileOfSorted(latencies, 0.99);
  const generatorBehind = behind || !result.generatorKeptUp;
  const judged = judge({ offered, served, p99Us, generatorBehind }, objective);
  const { meets, verdict } = disturbance === null ? judged : { meets: false, verdict: `disturbed, offered again: ${disturbance} (${judged.verdict})` };
  return {
    histogram,
    probe: {
      index, rate, measuredSeconds, offered, served,
      unanswered: result.totals.failed + result.totals.unfinished + result.totals.unsent,
      goodputRps: measuredSeconds > 0 ? completedMeasured / measuredSeconds : null,
      errorRate: offered > 0 ? (offered - served) / offered : null,
      p99Us, p999Us: percentileOfSorted(latencies, 0.999), maxUs: latencies.at(-1) ?? null,
      generatorBehind, maxSendLagUs, generatorCpuShare: result.wallSeconds > 0 ? result.cpuSeconds / result.wallSeconds : null,
      meets, verdict, disturbance,
    },
  };
}

/** Whether a probe may have left the server a backlog: it missed, and some of its requests had no answer. */
export function leftWork(probe: Pick<Probe, 'meets' | 'unanswered'>): boolean {
  return !probe.meets && probe.unanswered > 0;
}

/** The search, probe after probe; onProbe sees each as it ends (for a log line). Bounded by maxProbes × (step + timeout + pause). */
export async function searchCapacity(url: string, paths: string[], options: CapacitySearchOptions, onProbe?: (probe: Probe) => void): Promise<CapacitySearch> {
  if (!(options.settleSeconds >= 0) || options.settleSeconds >= options.stepSeconds) {
    throw new Error(`a capacity probe needs measured seconds: settle (${options.settleSeconds} s) must be below the step (${options.stepSeconds} s)`);
  }
  const objective = options.objective ?? SERVICE_OBJECTIVE;
  const wait = options.wait ?? ((seconds: number) => sleep(seconds * 1000));
  const settings = options.search ?? DEFAULT_SEARCH;
  const probes: Probe[] = [];
  const histograms = new Map<number, LatencyHistogram>();
  // The search reads the probes the machine left alone; a disturbed one is recorded and offered again.
  const clean = () => probes.filter((p) => p.disturbance === null).map((p) => ({ rate: p.rate, meets: p.meets }));
  let disturbance: string | null = null;
  for (let rate = nextRate(clean(), settings); rate !== null && disturbance === null; rate = nextRate(clean(), settings)) {
    for (let offered = 0; offered <= DISTURBED_PROBE_REPEATS; offered++) {
      if (probes.length > 0 && leftWork(probes[probes.length - 1]) && options.pauseSeconds > 0) await wait(options.pauseSeconds);
      const measured = await probe(url, paths, rate, probes.length, options, objective);
      probes.push(measured.probe);
      if (measured.probe.meets) histograms.set(rate, measured.histogram);
      onProbe?.(measured.probe);
      disturbance = measured.probe.disturbance;
      if (disturbance === null) break;
    }
  }
  const capacity = capacityOf(clean());
  return {
    objective, capacity, probes, disturbance,
    histogram: capacity === null ? [] : histograms.get(capacity)?.buckets() ?? [],
    generatorLimited: probes.some((p) => p.disturbance === null && p.generatorBehind && (capacity === null || p.rate > capacity)),
  };
}
