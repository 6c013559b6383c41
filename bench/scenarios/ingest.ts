/**
 * ingest: does a large provider document block the search? Each subject is a server of its
 * own (frozen once ready, like every subject) whose simulator serves the bulk feed (simulator/bulk.ts: the bench's feed plus bulk
 * plans dated from 2030, ~15 MB; the hot search finds the same events as in `hot`). The
 * server ingests it once at start. Then every round, on that server:
 *
 *   1. quiet:  the provider frozen (polls answer 503), the hot search measured;
 *   2. ingest: the provider thawed, a document on every poll (variants in turn, so every
 *              poll really changes data), the hot search measured the same way.
 *
 * The summary holds the ingest runs' figures; its ratio is the p99 under ingest over the
 * quiet p99 of the same round (not a ratio to the reference). Each run's phase, and the
 * moments documents were served, are a stress_test series tied to the run.
 */
import { pairedRatio } from '../stats/paired-ratio.ts';
import { FEED } from '../subject/subject.ts';
import { summarize, type Ratio, type RunOutcome } from '../figures/summarize.ts';
import type { Simulator } from '../../simulator/index.ts';
import type { Scenario } from './index.ts';
import type { LoadShape, Measured, OwnProvider, RoundContext, ScenarioModule, ScenarioOptions } from './module.ts';
import { pathsKey } from './steady.ts';

export interface IngestSettings {
  /** Size of each provider document, bytes (the chapters accept up to 16 MiB). */
  documentBytes: number;
  /** Distinct documents served in turn. */
  variants: number;
  /** The servers' pause between successful polls (POLL_INTERVAL_MS, which chapter 1 already reads); also their retry cap. */
  pollIntervalMs: number;
  /** How long a phase may wait for the server's next poll before the round fails. */
  pollWaitMs: number;
  /**
   * The ingest phase lasts at least this many seconds. Chapter 4 parses the 15 MB document on its
   * event loop: in editions 61–69 its ingest runs of 4 s had stalls of up to 3.6 s (p99), and in the
   * CI edition timed on 2026-12-07 (an empty database, `book.yml`'s command) two of its three ingest
   * runs got no answer at all in 4 s — a failed run, the part left undone, the edition incomplete.
   * A run that outlasts the stall measures it: the requests stalled behind the parse are answered
   * after it, with their waiting time (INGEST_REQUEST_TIMEOUT_SECONDS keeps them).
   */
  ingestMinSeconds: number;
}

export const DEFAULT_INGEST: IngestSettings = { documentBytes: 15_000_000, variants: 2, pollIntervalMs: 2000, pollWaitMs: 120_000, ingestMinSeconds: 10 };

/**
 * Per-request timeout of the load: a request stalled behind an ingest must be measured, not
 * dropped as a timeout (wrk leaves timed-out requests out of its percentiles).
 */
export const INGEST_REQUEST_TIMEOUT_SECONDS = 60;

/** Seconds of a phase: the quiet one as the session's runs, the ingest one at least `ingestMinSeconds` (pure). */
export function phaseSeconds(phase: 'quiet' | 'ingest', durationSeconds: number, ingestMinSeconds: number): number {
  return phase === 'ingest' ? Math.max(durationSeconds, ingestMinSeconds) : durationSeconds;
}

export type IngestPhase = 'quiet' | 'ingest';

/** A run's outcome and which phase it measured. */
export type PhasedOutcome = RunOutcome & { phase?: IngestPhase };

export const RATIO_MEANING = 'p99 under ingest / quiet p99 of the same round and server (not a ratio to the reference)';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once the server has made a poll after `since` requests: it is between polls, not inside one. */
async function nextPoll(provider: Simulator, since: number, limitMs: number, what: string): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (provider.requests() <= since) {
    if (Date.now() > deadline) throw new Error(`ingest: the server made no poll within ${limitMs / 1000} s ${what}`);
    await wait(50);
  }
}

/** Watches the documents the provider sends; `stop` gives their times in seconds from `runStarted` (negative: just before the run). */
function watchAnswers(provider: Simulator): { runStarted(): void; stop(): number[] } {
  let started = performance.now();
  const at: number[] = [];
  let seen = provider.answers();
  const timer = setInterval(() => {
    for (const now = provider.answers(); seen < now; seen++) at.push(performance.now());
  }, 20);
  timer.unref();
  return {
    runStarted: () => {
      started = performance.now();
    },
    stop: () => {
      clearInterval(timer);
      for (const now = provider.answers(); seen < now; seen++) at.push(performance.now());
      return at.map((t) => Math.round(t - started) / 1000);
    },
  };
}

/** The paired p99 ratio: ingest over quiet, by round, over rounds where both succeeded. */
export function p99Ratio(runs: PhasedOutcome[]): Ratio {
  const quiet = new Map(runs.filter((r) => r.phase === 'quiet' && r.status === 'ok' && r.p99_latency_us).map((r) => [r.run_index, r.p99_latency_us as number]));
  const pairs = runs.filter((r) => r.phase === 'ingest' && r.status === 'ok' && r.p99_latency_us && quiet.has(r.run_index));
  if (pairs.length === 0) return { ratio_median: null, ratio_ci_low: null, ratio_ci_high: null, ratio_cv: null, ratio_note: 'no round with both a quiet and an ingest run' };
  const paired = pairedRatio(
    pairs.map((r) => ({ position: r.run_index, value: r.p99_latency_us as number })),
    [...quiet].map(([round, p99]) => ({ position: round, value: p99 })),
  )!;
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  return { ratio_median: paired.ratio, ratio_ci_low: finite(paired.low), ratio_ci_high: finite(paired.high), ratio_cv: finite(paired.cv), ratio_note: null };
}

const ms = (us: number | null | undefined) => (typeof us === 'number' ? `${(us / 1000).toFixed(1)} ms` : '—');

export function describePhase(phase: IngestPhase, measured: Measured, documents: number | null, durationSeconds: number): string {
  const r = measured.result;
  const latency = r.latencyUs;
  const errors = `${r.socketErrors} socket errors, ${r.timeoutErrors} timeouts, ${r.non2xx} non-2xx`;
  const served = documents === null ? '' : `, ${documents} document(s) served`;
  // wrk's per-second samples have no latency; a stalled loop shows as seconds without a success.
  // Counted against the whole run: wrk's samples end at the last second that had a response.
  // A wrk run with any error has no samples at all (bench/loadgen/README.md): that is no stall.
  const seconds = Math.floor(durationSeconds);
  const stalled = seconds - r.samples.filter((sample) => sample.second <= seconds && sample.requestsPerSecond > 0).length;
  const stalls = r.samples.length === 0 ? 'no per-second counts' : `${stalled} of ${seconds} s without a response`;
  return `${phase}: ${r.requestsPerSecond?.toFixed(0) ?? '—'} req/s, p50 ${ms(latency?.p50)}, p99 ${ms(latency?.p99)}, max ${ms(latency?.max)}, ${stalls}, ${errors}${served}`;
}

/** A server of its own whose provider serves the bulk feed, polled every pollIntervalMs (also the overload-under-ingest scenario's). */
export function ingestProvider(settings: IngestSettings): OwnProvider {
  return {
    feed: { ...FEED, bulk: { targetBytes: settings.documentBytes, variants: settings.variants } },
    env: { POLL_INTERVAL_MS: String(settings.pollIntervalMs), BACKOFF_MAX_MS: String(settings.pollIntervalMs) },
  };
}

export function ingestScenario(sc: Scenario, settings: IngestSettings = DEFAULT_INGEST): ScenarioModule {
  const load = (options: ScenarioOptions, durationSeconds: number): LoadShape => ({
    paths: sc.paths,
    keepAlive: sc.keepAlive,
    connections: options.connections,
    durationSeconds,
    timeoutSeconds: INGEST_REQUEST_TIMEOUT_SECONDS,
  });

  /** One measured phase, tagged in the stress_test series (with the moments documents were served). */
  async function phase(context: RoundContext, watch: ReturnType<typeof watchAnswers>, name: IngestPhase): Promise<{ outcome: PhasedOutcome; line: string; documents: number }> {
    const seconds = phaseSeconds(name, context.options.durationSeconds, settings.ingestMinSeconds);
    watch.runStarted();
    let watched: number[] = [];
    const measured = await context.measure(load(context.options, seconds)).finally(() => {
      watched = watch.stop();
    });
    // A document sent after the load ended (while the tool reported) is not part of this run.
    const served = watched.filter((at) => at <= seconds);
    const r = measured.result;
    const series = context.series('stress_test', measured.runId);
    const successRate = r.totalRequests > 0 ? r.successfulRequests / r.totalRequests : null;
    series.write({ test_type: name, elapsed_seconds: seconds, observed_rps: r.requestsPerSecond, success_rate: successRate, active_connections: measured.outcome.connections, avg_latency_us: r.latencyUs?.avg ?? null });
    for (const at of served) series.write({ test_type: 'ingest-document', elapsed_seconds: at });
    if (r.timeoutErrors > 0) context.flag('timeouts');
    let outcome: PhasedOutcome = { ...measured.outcome, phase: name };
    if (name === 'ingest' && served.length === 0 && outcome.status === 'ok') {
      // Not a measurement under ingest: the server never took a document during the run.
      context.flag('ingest-no-document');
      outcome = { ...outcome, status: 'failed' };
    }
    return { outcome, line: describePhase(name, measured, name === 'ingest' ? served.length : null, seconds), documents: served.length };
  }

  return {
    name: sc.name,
    description: sc.description,
    comparesToReference: false,
    settingsKeyParts: (options) => [`c${options.connections}`, 'ka', pathsKey(sc.paths), `doc${settings.documentBytes}x${settings.variants}`, `poll${settings.pollIntervalMs}`, `to${INGEST_REQUEST_TIMEOUT_SECONDS}`, `ig${settings.ingestMinSeconds}`],
    settings: () => ({
      description: sc.description,
      keep_alive: sc.keepAlive,
      paths: sc.paths,
      document_bytes: settings.documentBytes,
      document_variants: settings.variants,
      poll_interval_ms: settings.pollIntervalMs,
      request_timeout_seconds: INGEST_REQUEST_TIMEOUT_SECONDS,
      ingest_phase_min_seconds: settings.ingestMinSeconds,
      feed: 'simulator/bulk.ts: the bench feed answer 0 plus bulk plans dated from 2030; variants differ in the bulk plans only',
      phases: 'per round, on a server of its own: quiet (provider frozen, polls answer 503), then ingest (a document on every poll)',
      ratio: RATIO_MEANING,
    }),
    // The servers ingest the first document at start and are frozen once ready; rounds thaw them.
    ownProvider: () => ingestProvider(settings),
    warmup: (options) => (options.warmupSeconds > 0 ? load(options, options.warmupSeconds) : null),
    runRound: async (context) => {
      const provider = context.provider;
      if (!provider) throw new Error('ingest: the runner gave this subject no provider of its own');
      provider.setFaults({ failRate: 1 });
      await nextPoll(provider, provider.requests(), settings.pollWaitMs, 'after freezing the provider');
      const quiet = await phase(context, watchAnswers(provider), 'quiet');
      // The document of the first poll after thawing is part of the ingest phase: watched from the thaw.
      const before = provider.requests();
      const watch = watchAnswers(provider);
      provider.setFaults({});
      await nextPoll(provider, before, settings.pollWaitMs, 'after thawing the provider').catch((error: unknown) => {
        watch.stop();
        throw error;
      });
      const ingest = await phase(context, watch, 'ingest');
      provider.setFaults({ failRate: 1 });
      context.log(`ingest ${context.label}: ${quiet.line}`);
      context.log(`ingest ${context.label}: ${ingest.line}`);
      const { ratio_median } = p99Ratio([quiet.outcome, ingest.outcome]);
      if (ratio_median !== null) context.log(`ingest ${context.label}: p99 under ingest = ${ratio_median.toFixed(2)} × quiet p99`);
      if (ingest.outcome.status === 'failed') context.log(`ingest ${context.label}: the ingest run counts as failed (${ingest.documents === 0 ? 'no document was served during it' : 'the load tool failed'})`);
      context.flag('ingest-ratio');
      return [quiet.outcome, ingest.outcome];
    },
    summarize: (runs) => ({ ...summarize(runs.filter((r) => (r as PhasedOutcome).phase === 'ingest')), ...p99Ratio(runs) }),
    failures: (runs) => runs.filter((r) => r.status === 'failed').length,
  };
}
