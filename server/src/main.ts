/**
 * CLI entry of the event-search service (bundled to server/dist/server.mjs).
 * Exit codes: 0 after a graceful shutdown, 1 on a runtime failure, 2 on bad configuration.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { helpText, parseConfig } from './config.ts';
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
  let service;
  try {
    // The bundle is its own worker script: the ingest worker runs this same file.
    service = await startService(config, log, new URL(import.meta.url));
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
