/**
 * CLI entry of the event-search service (bundled to server/dist/server.mjs).
 * Exit codes: 0 after a graceful shutdown, 1 on a runtime failure, 2 on bad configuration.
 */
import cluster from 'node:cluster';
import os from 'node:os';
import { isMainThread, workerData } from 'node:worker_threads';
import { startPrimary } from './cluster/primary.ts';
import { runHttpWorker } from './cluster/http-worker.ts';
import { helpText, parseConfig, workerCount } from './config.ts';
import type { IngestWorkerData } from './ingest/protocol.ts';
import { runIngestWorker } from './ingest/worker.ts';
import { createLogger, describeError } from './log.ts';
import { startService } from './service.ts';

async function main(): Promise<void> {
  const parsed = parseConfig(process.argv.slice(2), process.env);
  if (parsed.kind === 'help') {
    process.stdout.write(helpText());
    return;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`event-search: ${parsed.message}\nRun with --help for the options.\n`);
    process.exitCode = 2;
    return;
  }
  const config = parsed.config;
  const log = createLogger();
  const workers = workerCount(config, os.availableParallelism());
  if (cluster.isWorker) {
    try {
      await runHttpWorker({ ...config, workers }, log);
    } catch (err) {
      log.error('worker.start_failed', { error: describeError(err) });
      process.exit(1);
    }
    return;
  }
  let service;
  try {
    // The bundle is its own worker script: the ingest worker thread runs this same file.
    const entry = new URL(import.meta.url);
    service = workers > 1 ? await startPrimary({ ...config, workers }, log, entry) : await startService(config, log, entry);
  } catch (err) {
    log.error('start.failed', { error: describeError(err) });
    process.exitCode = 1;
    return;
  }

  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    log.info('shutdown.start', { signal });
    const force = setTimeout(() => {
      log.error('shutdown.timeout', { afterMs: config.shutdownTimeoutMs });
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    service.close().then(
      () => {
        log.info('shutdown.done', { signal });
        process.exit(0);
      },
      (err: unknown) => {
        log.error('shutdown.failed', { error: describeError(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

if (isMainThread) void main();
else runIngestWorker(workerData as IngestWorkerData);
