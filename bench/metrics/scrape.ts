/**
 * Reading a server's metrics over HTTP (side effects): one scrape, a reader that turns a
 * failure into null for a round context, and a per-second scraper that runs beside a
 * load run and stops by itself at its deadline.
 */
import type { ServerGauges } from './gauges.ts';
import { toServerGauges } from './prometheus.ts';

/** A scrape slower than this is a failure for its second: the next one is due. */
export const SCRAPE_TIMEOUT_MS = 1000;

/**
 * A round's reader waits longer: under overload the side port shares the saturated event
 * loop, and the scenario bounds each reading itself (the open-loop steps: 2 s).
 */
export const READER_TIMEOUT_MS = 2000;

/** What the text format is served as (prom-client: text/plain; version=0.0.4; OpenMetrics when negotiated). */
const EXPOSITION_TYPES = ['text/plain', 'application/openmetrics-text'];

/** The exposition text at `url`; a non-200 answer, another content type or a timeout throws, naming the URL. */
export async function scrapeText(url: string, timeoutMs = SCRAPE_TIMEOUT_MS, signal?: AbortSignal): Promise<string> {
  const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.any(signals) });
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (error as Error).message;
    throw new Error(`scrape of ${url} failed: ${reason}`);
  }
  const text = await response.text();
  if (response.status !== 200) throw new Error(`scrape of ${url} answered ${response.status}: ${text.slice(0, 200)}`);
  const type = response.headers.get('content-type') ?? '';
  if (!EXPOSITION_TYPES.some((t) => type.startsWith(t))) throw new Error(`scrape of ${url}: content type "${type}" is not the Prometheus text format`);
  return text;
}

/** One scrape as ServerGauges; `at` is the ms from `startedAt` (a performance.now() reading; default: now) to when it was sent. */
export async function scrape(url: string, options: { startedAt?: number; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ServerGauges> {
  const sentAt = performance.now();
  const text = await scrapeText(url, options.timeoutMs, options.signal);
  return toServerGauges(text, Math.round(sentAt - (options.startedAt ?? sentAt)));
}

/**
 * A scrape that never throws: null when it failed (an overloaded server may not answer
 * its metrics in time). Each distinct failure is reported once, so an overload run does
 * not print one line per second.
 */
export function gaugeReader(url: string, startedAt: () => number, onFailure: (message: string) => void, timeoutMs = READER_TIMEOUT_MS): () => Promise<ServerGauges | null> {
  const reported = new Set<string>();
  return async () => {
    try {
      return await scrape(url, { startedAt: startedAt(), timeoutMs });
    } catch (error) {
      const message = (error as Error).message;
      if (!reported.has(message)) {
        reported.add(message);
        onFailure(message);
      }
      return null;
    }
  };
}

export interface GaugeSeries {
  samples: ServerGauges[];
  /** Seconds without a sample, and why. */
  failures: { at: number; message: string }[];
}

export interface GaugeScraper {
  /** Resolves when the scraper has stopped by itself (its duration is over) or was stopped. */
  finished: Promise<GaugeSeries>;
  /** Stops now (a scrape under way is abandoned) and resolves with what was read. */
  stop(): Promise<GaugeSeries>;
}

export interface ScraperOptions {
  /** How long to scrape; the scraper stops by itself after this. */
  durationSeconds: number;
  intervalMs?: number;
  timeoutMs?: number;
  /** performance.now() of the run's start (default: the scraper's start); `at` counts from it. */
  startedAt?: number;
  onSample?: (sample: ServerGauges) => void;
}

/** Scrapes `url` at 0, 1, 2 … s from its start until `durationSeconds`; a tick missed by a slow scrape is skipped, not caught up. */
export function scrapeEverySecond(url: string, options: ScraperOptions): GaugeScraper {
  const interval = options.intervalMs ?? 1000;
  const timeoutMs = Math.min(options.timeoutMs ?? SCRAPE_TIMEOUT_MS, interval);
  const startedAt = options.startedAt ?? performance.now();
  const deadline = performance.now() + options.durationSeconds * 1000;
  const stopping = new AbortController();
  const series: GaugeSeries = { samples: [], failures: [] };
  const sleepUntil = (time: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        stopping.signal.removeEventListener('abort', wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, time - performance.now()));
      stopping.signal.addEventListener('abort', wake);
    });
  const finished = (async () => {
    const first = performance.now();
    for (let tick = 0; ; tick++) {
      const due = first + tick * interval;
      if (due > deadline) break;
      await sleepUntil(due);
      if (stopping.signal.aborted) break;
      try {
        const sample = await scrape(url, { startedAt, timeoutMs, signal: stopping.signal });
        series.samples.push(sample);
        options.onSample?.(sample);
      } catch (error) {
        if (stopping.signal.aborted) break;
        series.failures.push({ at: Math.round(due - startedAt), message: (error as Error).message });
      }
      tick = Math.max(tick, Math.floor((performance.now() - first) / interval));
    }
    return series;
  })();
  return {
    finished,
    stop: () => {
      stopping.abort();
      return finished;
    },
  };
}
