import v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log.ts';
import type { FromWorker, IngestWorkerData, IngestedMessage, LoadedMessage, ToWorker } from './protocol.ts';

/**
 * The worker's young generation, MB. V8 grows it to its default maximum (tens of MB) while a
 * document is parsed, and keeps it committed between documents: with three 15 MB documents in a
 * row it was a large share of the process's peak resident memory (chapter 17). Smaller, it is
 * scavenged more often, off the event loop.
 */
const INGEST_YOUNG_GENERATION_MB = 8;

/**
 * The main thread's handle on the ingest worker: one request at a time (the poller never
 * overlaps polls), each answered by one message. A worker that dies fails its request and
 * every later one: ingestion stops loudly, searches keep being answered.
 */
export class IngestWorker {
  private pending: { resolve: (m: FromWorker) => void; reject: (e: Error) => void } | null = null;
  private dead: Error | null = null;

  private constructor(private readonly worker: Worker, log: Logger) {
    worker.on('message', (message: FromWorker) => {
      const pending = this.pending;
      this.pending = null;
      pending?.resolve(message);
    });
    const die = (err: Error): void => {
      this.dead ??= err;
      this.pending?.reject(err);
      this.pending = null;
    };
    worker.on('error', (err) => {
      log.error('ingest.worker_failed', { error: err.message, stack: err.stack });
      die(err);
    });
    worker.on('exit', (code) => die(new Error(`ingest worker exited (${code})`)));
  }

  /** Starts the worker from `entry` (the bundle itself) and loads the store in it. */
  static async start(entry: URL, dataDir: string, log: Logger): Promise<{ worker: IngestWorker; loaded: LoadedMessage }> {
    const workerData: IngestWorkerData = { role: 'ingest-worker', dataDir };
    // The worker collects its garbage after each document (worker.ts): `gc` exists in isolates created after this flag is set, the worker's.
    v8.setFlagsFromString('--expose-gc');
    const worker = new IngestWorker(new Worker(entry, { workerData, resourceLimits: { maxYoungGenerationSizeMb: INGEST_YOUNG_GENERATION_MB } }), log);
    const loaded = await worker.request({ type: 'load' });
    if (loaded.type !== 'loaded') throw new Error(`ingest worker could not load the store: ${describe(loaded)}`);
    return { worker, loaded };
  }

  /** Hands the document over (transferred when it owns its memory, else copied once). */
  async ingest(body: Buffer): Promise<IngestedMessage> {
    const owned = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength;
    const bytes = owned ? new Uint8Array(body.buffer, 0, body.byteLength) : new Uint8Array(body);
    const answer = await this.request({ type: 'ingest', bytes }, [bytes.buffer as ArrayBuffer]);
    if (answer.type !== 'ingested') throw new Error(`ingest failed: ${describe(answer)}`);
    return answer;
  }

  /** Waits for pending writes (and retries a failed one), then stops the worker. */
  async close(): Promise<void> {
    try {
      if (!this.dead) {
        const answer = await this.request({ type: 'flush' });
        if (answer.type !== 'flushed') throw new Error(`flush failed: ${describe(answer)}`);
      }
    } finally {
      await this.worker.terminate();
    }
  }

  private request(message: ToWorker, transfer: ArrayBuffer[] = []): Promise<FromWorker> {
    if (this.dead) return Promise.reject(this.dead);
    if (this.pending) return Promise.reject(new Error('ingest worker busy: requests must not overlap'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(message, transfer);
    });
  }
}

function describe(message: FromWorker): string {
  return message.type === 'failed' ? message.error : message.type;
}
