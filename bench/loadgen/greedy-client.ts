/**
 * The greedy client of the fairness scenario: wrk (C, one epoll loop) on many keep-alive
 * connections, paced at a fixed rate by its delay() hook (wrk.ts, pacedDelay), as issue 21's
 * `wrk -t1 -c512` was, but at a chosen multiple of the capacity. Why wrk and not the open-loop
 * generator (open-loop.ts): that one is a Node.js event loop, and it cannot offer 2× or 5× the
 * capacity of a chapter that serves thousands of searches a second from the other core.
 *
 * What it offered is measured, not assumed: every answer (any status) per second of the
 * settled seconds. A step that offered less than it was asked to (the generator at the end of
 * its core, or the server's sockets no longer read) is flagged and says which.
 */
import { runWrk } from './wrk.ts';
import type { LoadResult } from './types.ts';

export interface GreedyRequest {
  url: string;
  paths: string[];
  /** Requests per second the client offers (paced), over all its connections. */
  rateRps: number;
  connections: number;
  /** Requests written at once on each connection, paced as one batch (1: none). */
  pipeline: number;
  durationSeconds: number;
  timeoutSeconds: number;
  /** taskset CPU list of the load generator, or undefined when not pinned. */
  cpus?: string;
}

/** wrk, one thread, paced at the request's rate; its per-second 2xx and other answers come back as samples. */
export function runGreedyClient(request: GreedyRequest): Promise<LoadResult> {
  return runWrk({
    url: request.url, paths: request.paths, connections: request.connections, durationSeconds: request.durationSeconds,
    keepAlive: true, threads: 1, pipeline: request.pipeline, timeoutSeconds: request.timeoutSeconds, ...(request.cpus === undefined ? {} : { cpus: request.cpus }),
  }, { pacedRps: request.rateRps / request.pipeline }); // delay() paces batches of `pipeline` requests
}

/** A step that offered under this share of its rate did not reach its level. */
export const OFFERED_SHORT_SHARE = 0.9;
/** A generator using this share of its core (CPU seconds ÷ wall seconds) is at its end: its figures are its own. */
export const GENERATOR_LIMIT_SHARE = 0.9;

export interface GreedyFigures {
  settledSeconds: number;
  /** Answers of any status per second (what the server read and answered): the rate actually offered. */
  offeredRps: number;
  /** 2xx per second: the server's goodput to the greedy client. */
  goodputRps: number;
  /** Non-2xx ÷ answers; null when nothing was answered. */
  rejectionRate: number | null;
  /** Socket errors and timeouts over the whole run (wrk counts them only in total). */
  socketErrors: number;
  /** The generator's CPU seconds ÷ its wall seconds; null when unread. */
  cpuShare: number | null;
  /** The generator used (nearly) its whole core: the step's figures are the generator's, not the server's. */
  generatorLimited: boolean;
  /** It offered under OFFERED_SHORT_SHARE of its rate: the step is not at its level. */
  offeredShort: boolean;
}

/**
 * The greedy figures of the seconds after `settleSeconds` (pure). wrk's samples carry 2xx per
 * second (requestsPerSecond) and the other answers of the second (errors); only the whole
 * seconds of the run count. Throws when no settled second was sampled: a figure from nothing is none.
 */
export function greedyFigures(result: LoadResult, settle: { settleSeconds: number; durationSeconds: number }, rateRps: number): GreedyFigures {
  const { settleSeconds, durationSeconds } = settle;
  // Whole seconds only: wrk's last bucket may be a sliver past the duration.
  const settled = result.samples.filter((sample) => sample.second > settleSeconds && sample.second <= durationSeconds);
  if (settled.length === 0) throw new Error(`the greedy client sampled no second after its ${settleSeconds} settling one(s)`);
  const success = settled.reduce((sum, sample) => sum + sample.requestsPerSecond, 0);
  const other = settled.reduce((sum, sample) => sum + sample.errors, 0);
  const offeredRps = (success + other) / settled.length;
  const cpuShare = result.cpuSeconds === null || !(result.wallSeconds > 0) ? null : result.cpuSeconds / result.wallSeconds;
  return {
    settledSeconds: settled.length,
    offeredRps,
    goodputRps: success / settled.length,
    rejectionRate: success + other === 0 ? null : other / (success + other),
    socketErrors: result.socketErrors + result.timeoutErrors,
    cpuShare,
    generatorLimited: cpuShare === null || cpuShare >= GENERATOR_LIMIT_SHARE,
    offeredShort: offeredRps < OFFERED_SHORT_SHARE * rateRps,
  };
}
