import http from 'node:http';
import https from 'node:https';
import { describeError, type Logger } from './log.ts';

export interface FetchLimits {
  /** Time allowed to establish the TCP connection, ms. */
  connectTimeoutMs: number;
  /** Deadline of the whole request (headers and body), ms. */
  totalTimeoutMs: number;
  maxBodyBytes: number;
}

/**
 * GET a document (its bytes: the parser honours the declared encoding) with hard limits: connect timeout, total deadline, body cap. Any non-200
 * status, short body or oversize answer rejects. `signal` aborts it (used on shutdown).
 */
export function fetchDocument(url: URL, limits: FetchLimits, signal?: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (err: Error | null, body?: Buffer): void => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      signal?.removeEventListener('abort', onAbort);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(body as Buffer);
    };
    const onAbort = (): void => finish(new Error('aborted'));
    if (signal?.aborted) return reject(new Error('aborted'));
    signal?.addEventListener('abort', onAbort);

    const req = client.request(url, { method: 'GET', headers: { accept: 'application/xml, text/xml' } });
    timers.push(setTimeout(() => finish(new Error(`no complete answer within ${limits.totalTimeoutMs} ms`)), limits.totalTimeoutMs));
    req.on('socket', (socket) => {
      if (!socket.connecting) return; // a reused keep-alive socket
      const connectTimer = setTimeout(() => finish(new Error(`connect timeout after ${limits.connectTimeoutMs} ms`)), limits.connectTimeoutMs);
      timers.push(connectTimer);
      socket.once('connect', () => clearTimeout(connectTimer));
    });
    req.on('error', (err) => finish(err));
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return finish(new Error(`provider answered HTTP ${res.statusCode}`));
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > limits.maxBodyBytes) {
        return finish(new Error(`answer of ${declared} bytes exceeds the ${limits.maxBodyBytes}-byte cap`));
      }
      // With a declared length the body is copied into one buffer as it arrives (its own memory: transferred to
      // the ingest worker as it is), never held as chunks and then concatenated: one copy of a 15 MB document, not two.
      const body = Number.isFinite(declared) ? Buffer.allocUnsafeSlow(declared) : null;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size + chunk.length > limits.maxBodyBytes) return finish(new Error(`answer exceeds the ${limits.maxBodyBytes}-byte cap`));
        if (body !== null && size + chunk.length > body.length) return finish(new Error(`answer longer than its declared ${body.length} bytes`));
        if (body !== null) chunk.copy(body, size);
        else chunks.push(chunk);
        size += chunk.length;
      });
      res.on('error', (err) => finish(err));
      res.on('aborted', () => finish(new Error('connection closed mid-answer')));
      res.on('end', () => {
        if (!res.complete) return finish(new Error('connection closed mid-answer'));
        if (body !== null && size !== body.length) return finish(new Error('connection closed mid-answer'));
        finish(null, body ?? Buffer.concat(chunks));
      });
    });
    req.end();
  });
}

export interface PollerOptions {
  feedUrl: URL;
  intervalMs: number;
  limits: FetchLimits;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /**
   * Handles one fetched document. Resolve `true` when it was ingested, `{ rejected }` when it
   * was refused (malformed): a rejection is retried like a failed request.
   */
  ingest: (body: Buffer) => Promise<true | { rejected: string }>;
  log: Logger;
  random?: () => number;
  /** Called after every poll, whatever its outcome (health() has changed). */
  onSettled?: () => void;
}

/** Retry delay after `failures` consecutive failures: exponential, capped, "equal jitter". */
export function backoffDelay(failures: number, baseMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** How polling has been going, for /health. */
export interface PollHealth {
  /** Failed or rejected polls since the last successful one. */
  consecutiveFailures: number;
  /** Failed or rejected polls since the start. */
  failuresTotal: number;
  lastError: string | null;
  lastFailureAt: string | null;
}

/**
 * Background polling: one poll at a time (the next is scheduled only when the previous one has
 * finished, ingestion and persistence included), the first one immediately.
 */
export class Poller {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private abort: AbortController | null = null;
  private stopped = false;
  private failures = 0;
  private failuresTotal = 0;
  private lastError: string | null = null;
  private lastFailureAt: string | null = null;
  private readonly random: () => number;

  constructor(private readonly options: PollerOptions) {
    this.random = options.random ?? Math.random;
  }

  health(): PollHealth {
    return { consecutiveFailures: this.failures, failuresTotal: this.failuresTotal, lastError: this.lastError, lastFailureAt: this.lastFailureAt };
  }

  start(): void {
    this.schedule(0);
  }

  /** Stops scheduling, aborts an in-flight request and waits for the current poll to end. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort?.abort();
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.pollOnce().finally(() => {
        this.running = null;
      });
    }, delayMs);
  }

  private async pollOnce(): Promise<void> {
    const { feedUrl, limits, log } = this.options;
    const started = Date.now();
    this.abort = new AbortController();
    let ok = false;
    try {
      const body = await fetchDocument(feedUrl, limits, this.abort.signal);
      const outcome = await this.options.ingest(body);
      ok = outcome === true;
      if (outcome !== true) this.lastError = `document rejected: ${outcome.rejected}`;
    } catch (err) {
      if (this.stopped) return;
      this.lastError = describeError(err);
      log.warn('poll.failed', { error: this.lastError, durationMs: Date.now() - started, consecutiveFailures: this.failures + 1 });
    } finally {
      this.abort = null;
    }
    this.settle(ok);
    this.options.onSettled?.();
  }

  private settle(ok: boolean): void {
    if (ok) {
      this.failures = 0;
      // ±10 % jitter keeps a fleet of instances from polling in lockstep.
      this.schedule(Math.round(this.options.intervalMs * (0.9 + 0.2 * this.random())));
    } else {
      this.failures++;
      this.failuresTotal++;
      this.lastFailureAt = new Date().toISOString();
      const retryInMs = backoffDelay(this.failures, this.options.backoffBaseMs, this.options.backoffMaxMs, this.random);
      this.options.log.info('poll.retry', { retryInMs, consecutiveFailures: this.failures });
      this.schedule(retryInMs);
    }
  }
}
