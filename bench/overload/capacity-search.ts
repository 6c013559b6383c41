// Measures a server's capacity against the objective (./objective.ts): one open-loop step per
// probed rate (bench/loadgen/open-loop.ts), the rates chosen by nextRate. Every probe keeps
// its figures and verdict; the probe at the capacity keeps its latency histogram.
import { setTimeout as sleep } from 'node:timers/promises';
import { LatencyHistogram, type HistogramBucket } from '../loadgen/latency-histogram.ts';
import { runOpenLoop } from '../loadgen/open-loop.ts';
import { percentileOfSorted } from '../loadgen/open-loop-tally.ts';
import { capacityOf, DEFAULT_SEARCH, judge, nextRate, SERVICE_OBJECTIVE, type Objective, type SearchSettings } from './objective.ts';

export interface CapacitySearchOptions {
  objective?: Objective;
  search?: SearchSettings;
  /** Seconds per probe, and the first seconds of each left out of its p99 (a new rate's backlog settling). */
  stepSeconds: number;
  settleSeconds: number;
  /** Seconds without load between probes: the previous backlog is gone before the next rate. */
  pauseSeconds: number;
  connections?: number;
  timeoutSeconds?: number;
  /** A send later than this behind its intended time makes the probe the generator's figure (a miss); the generator's default when absent. */
  lagToleranceMs?: number;
}

export interface Probe {
  index: number;
  rate: number;
  measuredSeconds: number;
  offered: number;            // the whole probe (settling included): errors count everywhere
  served: number;
  goodputRps: number | null;  // 2xx per measured second
  errorRate: number | null;
  p99Us: number | null;       // served requests of the measured seconds (and the drain after them)
  p999Us: number | null;
  maxUs: number | null;
  generatorBehind: boolean;
  meets: boolean;
  verdict: string;
}

export interface CapacitySearch {
  objective: Objective;
  capacity: number | null;                // the highest rate that met the objective
  probes: Probe[];
  histogram: HistogramBucket[];           // of the probe at the capacity (empty when none met it)
  generatorLimited: boolean;              // a probe above the capacity failed because the generator was late
}

/** One probe: `rate` req/s for stepSeconds, open loop. */
async function probe(url: string, paths: string[], rate: number, index: number, options: CapacitySearchOptions, objective: Objective): Promise<{ probe: Probe; histogram: LatencyHistogram }> {
  const histogram = new LatencyHistogram();
  const latencies: number[] = [];
  let completedMeasured = 0;
  let measuredSeconds = 0;
  let behind = false;
  const result = await runOpenLoop({
    url, paths, phases: [{ rate, seconds: options.stepSeconds }],
    ...(options.connections === undefined ? {} : { connections: options.connections }),
    ...(options.timeoutSeconds === undefined ? {} : { timeoutSeconds: options.timeoutSeconds }),
    ...(options.lagToleranceMs === undefined ? {} : { lagToleranceMs: options.lagToleranceMs }),
  }, (second) => {
    behind ||= second.generatorBehind;
    if (second.second < options.settleSeconds) return;
    if (second.phaseIndex !== null) measuredSeconds += 1;
    completedMeasured += second.completed;
    for (const latency of second.servedLatenciesUs) {
      latencies.push(latency);
      histogram.record(latency);
    }
  });
  latencies.sort((a, b) => a - b);
  const offered = result.totals.offered + result.totals.unsent;
  const served = result.totals.completed;
  const p99Us = percentileOfSorted(latencies, 0.99);
  const generatorBehind = behind || !result.generatorKeptUp;
  const { meets, verdict } = judge({ offered, served, p99Us, generatorBehind }, objective);
  return {
    histogram,
    probe: {
      index, rate, measuredSeconds, offered, served,
      goodputRps: measuredSeconds > 0 ? completedMeasured / measuredSeconds : null,
      errorRate: offered > 0 ? (offered - served) / offered : null,
      p99Us, p999Us: percentileOfSorted(latencies, 0.999), maxUs: latencies.at(-1) ?? null,
      generatorBehind, meets, verdict,
    },
  };
}

/** The search, probe after probe; onProbe sees each as it ends (for a log line). Bounded by maxProbes × (step + timeout + pause). */
export async function searchCapacity(url: string, paths: string[], options: CapacitySearchOptions, onProbe?: (probe: Probe) => void): Promise<CapacitySearch> {
  if (!(options.settleSeconds >= 0) || options.settleSeconds >= options.stepSeconds) {
    throw new Error(`a capacity probe needs measured seconds: settle (${options.settleSeconds} s) must be below the step (${options.stepSeconds} s)`);
  }
  const objective = options.objective ?? SERVICE_OBJECTIVE;
  const settings = options.search ?? DEFAULT_SEARCH;
  const probes: Probe[] = [];
  const histograms = new Map<number, LatencyHistogram>();
  for (let rate = nextRate(probes, settings); rate !== null; rate = nextRate(probes.map((p) => ({ rate: p.rate, meets: p.meets })), settings)) {
    if (probes.length > 0 && options.pauseSeconds > 0) await sleep(options.pauseSeconds * 1000);
    const measured = await probe(url, paths, rate, probes.length, options, objective);
    probes.push(measured.probe);
    if (measured.probe.meets) histograms.set(rate, measured.histogram);
    onProbe?.(measured.probe);
  }
  const capacity = capacityOf(probes.map((p) => ({ rate: p.rate, meets: p.meets })));
  return {
    objective, capacity, probes,
    histogram: capacity === null ? [] : histograms.get(capacity)?.buckets() ?? [],
    generatorLimited: probes.some((p) => p.generatorBehind && (capacity === null || p.rate > capacity)),
  };
}
