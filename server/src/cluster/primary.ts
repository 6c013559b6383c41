import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../config.ts';
import { startIngestion, type Ingestion } from '../ingestion.ts';
import type { Logger } from '../log.ts';
import type { PackedCatalogue } from '../search-index.ts';
import type { RunningService } from '../service.ts';
import type { FromHttpWorker, ToHttpWorker } from './messages.ts';

/**
 * The cluster primary: the only poller and the only writer of the data dir (through its ingest
 * worker thread); it forks `config.workers` HTTP processes sharing the port, sends each the
 * current catalogue and ingestion status, replaces a worker that crashes, and on close tells
 * them to finish their requests before it flushes the store.
 */
export async function startPrimary(config: Config & { workers: number }, log: Logger, workerEntry: URL): Promise<RunningService> {
  cluster.setupPrimary({ serialization: 'advanced' }); // typed arrays cross IPC as such
  let catalogue: { packed: PackedCatalogue; version: number } | null = null;
  let closing = false;
  let started = false;
  const send = (worker: Worker, message: ToHttpWorker): void => {
    // A worker may die between the check and the write: the exit handler replaces it, the
    // replacement asks for the state itself, so a failed send is only logged.
    if (worker.isConnected()) worker.send(message, (err: Error | null) => err && log.warn('worker.send_failed', { worker: worker.id, error: err.message }));
  };
  const broadcast = (message: ToHttpWorker): void => Object.values(cluster.workers ?? {}).forEach((w) => w && send(w, message));

  const ingestion: Ingestion = await startIngestion(config, log, workerEntry, {
    catalogue: (packed, version) => {
      catalogue = { packed, version };
      broadcast({ type: 'catalogue', packed, version });
    },
    statusChanged: () => broadcast({ type: 'status', status: ingestion.status() }),
  });

  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('error', (err) => log.warn('worker.ipc_error', { worker: worker.id, error: err.message }));
    worker.on('message', (message: FromHttpWorker) => {
      if (message.type !== 'hello') return;
      if (catalogue) send(worker, { type: 'catalogue', ...catalogue });
      send(worker, { type: 'status', status: ingestion.status() });
    });
    return worker;
  };
  cluster.on('exit', (worker, code, signal) => {
    if (!started || closing || code === 0) return;
    log.error('worker.died', { worker: worker.id, code, signal });
    fork();
  });

  const port = await new Promise<number>((resolve, reject) => {
    const fail = (err: Error): void => {
      Object.values(cluster.workers ?? {}).forEach((w) => w?.process.kill());
      void ingestion.close().finally(() => reject(err));
    };
    let listening = 0;
    const onListening = (_worker: Worker, address: { port: number }): void => {
      if (++listening < config.workers) return;
      cluster.off('listening', onListening);
      resolve(address.port);
    };
    cluster.on('listening', onListening);
    // A worker that cannot listen (e.g. the port is taken) exits before listening: fail the start.
    cluster.once('exit', (worker, code) => {
      if (listening < config.workers) fail(new Error(`worker ${worker.id} exited (${code}) before listening`));
    });
    for (let i = 0; i < config.workers; i++) fork();
  });
  started = true;
  log.info('listening', { host: config.host, port, providerUrl: config.providerUrl, dataDir: config.dataDir, workers: config.workers });
  ingestion.start();

  let closed: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      const exits = Object.values(cluster.workers ?? {}).map((w) => new Promise<void>((resolve) => (w && !w.isDead() ? w.once('exit', () => resolve()) : resolve())));
      broadcast({ type: 'shutdown' });
      await ingestion.close();
      await Promise.all(exits);
    })();
    return closed;
  };
  return { port, close };
}
