// Turns the counts a parser extracted from a tool's report into a LoadResult, with one rule
// for every tool: throughput counts only successful (2xx) responses over the actual duration,
// and a run without a single 2xx response is a failed run.
import type { LoadResult } from './types.ts';

/** What a pure parser returns: a LoadResult without the runner's own measurements. */
export type ParsedLoad = Omit<LoadResult, 'cpuSeconds' | 'wallSeconds'> & {
  durationSeconds: number | null; // the load's actual duration as the tool measured it
};

/** What a parser counted in a tool's report: the parsed load's own counts, before the one rule above is applied. */
export type LoadCounts = Pick<ParsedLoad, 'durationSeconds' | 'successfulRequests' | 'non2xx' | 'socketErrors' | 'timeoutErrors' | 'bytes' | 'latencyUs' | 'samples' | 'raw'> & {
  toolFailure?: string;          // the tool itself reported a failure
  extraFailureDetail?: string;   // appended to the "no 2xx" explanation (e.g. oha's aborted requests)
};

export function buildParsedLoad(counts: LoadCounts): ParsedLoad {
  const totalRequests = counts.successfulRequests + counts.non2xx + counts.socketErrors + counts.timeoutErrors;
  const duration = counts.durationSeconds !== null && counts.durationSeconds > 0 ? counts.durationSeconds : null;
  let failure: string | undefined = counts.toolFailure;
  if (failure === undefined && duration === null) failure = 'the tool reported no run duration';
  if (failure === undefined && counts.successfulRequests === 0) {
    const parts = [
      `${counts.non2xx} non-2xx responses`,
      `${counts.socketErrors} socket errors`,
      `${counts.timeoutErrors} timeouts`,
    ];
    if (counts.extraFailureDetail) parts.push(counts.extraFailureDetail);
    failure = `no successful (2xx) response: ${parts.join(', ')}`;
  }
  const ok = failure === undefined;
  const parsed: ParsedLoad = {
    ok,
    // a failed run has no throughput: null, never a 0 that could be stored as a measurement
    requestsPerSecond: ok && duration !== null ? counts.successfulRequests / duration : null,
    totalRequests,
    successfulRequests: counts.successfulRequests,
    non2xx: counts.non2xx,
    socketErrors: counts.socketErrors,
    timeoutErrors: counts.timeoutErrors,
    bytes: counts.bytes,
    latencyUs: counts.latencyUs,
    samples: counts.samples,
    raw: counts.raw,
    durationSeconds: duration,
  };
  if (failure !== undefined) parsed.failure = failure;
  return parsed;
}

/** The final LoadResult: the parsed report plus what the runner measured around the process. */
export function completeResult(parsed: ParsedLoad, measured: { cpuSeconds: number | null; wallSeconds: number }): LoadResult {
  const { durationSeconds: _duration, ...result } = parsed;
  return { ...result, cpuSeconds: measured.cpuSeconds, wallSeconds: measured.wallSeconds };
}

/**
 * A run that produced no usable report at all (tool missing output, killed, crashed), or
 * that never ran (the adapter threw: raw output empty, nothing measured around it).
 */
export function failedResult(failure: string, raw = '', measured: { cpuSeconds: number | null; wallSeconds: number } = { cpuSeconds: null, wallSeconds: 0 }): LoadResult {
  return {
    ok: false,
    failure,
    requestsPerSecond: null,
    totalRequests: 0,
    successfulRequests: 0,
    non2xx: 0,
    socketErrors: 0,
    timeoutErrors: 0,
    bytes: 0,
    latencyUs: null,
    samples: [],
    raw,
    cpuSeconds: measured.cpuSeconds,
    wallSeconds: measured.wallSeconds,
  };
}
