import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { serverTimeouts, onCheckExpectation, onClientError, onConnect } from './client-error.ts';
import { createFastifyServer } from './fastify-layer.ts';
import type { InFlightLimit } from '../limit/in-flight-limit.ts';
import { createRefusalPolicy } from '../limit/fair-refusal.ts';
import { pausingRefused } from '../limit/refused-pause.ts';
import { createAnswerEncoder } from './encodings.ts';
import { LeanLayer } from './lean-layer.ts';
import { createNodeListener, type HttpMetrics } from './node-layer.ts';
import { createRouteAnswers } from './route-answers.ts';
import type { SearchSource } from './routes.ts';

export interface HttpService {
  port: number;
  /** Stops accepting, closes idle keep-alive connections, resolves when in-flight requests are done. */
  close(): Promise<void>;
}

/** The chosen HTTP layer over `source`, listening on the configured host and port. */
export async function listen(config: Config, source: SearchSource, log: Logger, metrics: HttpMetrics, limit: InFlightLimit): Promise<HttpService> {
  const server = config.httpLayer === 'fastify' ? await createFastifyServer(source, log, serverTimeouts(config.headersTimeoutMs)) : nodeServer(config, source, log, metrics, limit);
  answerProtocolErrors(server);
  if (config.maxConnections > 0) {
    // node closes a socket over the limit as soon as it is accepted; 'drop' says so.
    server.maxConnections = config.maxConnections;
    server.on('drop', () => metrics.shed.droppedConnections++);
  }
  return listenOn(server, config.host, config.port);
}

/** node:http with find-my-way (the node layer), its connections read first by the lean layer unless `--http-layer node`. */
function nodeServer(config: Config, source: SearchSource, log: Logger, metrics: HttpMetrics, limit: InFlightLimit): http.Server {
  const encoder = createAnswerEncoder({ policy: config.compression, after: config.compressAfter, maxBytes: config.compressionMaxBytes });
  const answers = createRouteAnswers(source, log, metrics, limit, pausingRefused(createRefusalPolicy(config.refusal), config.refusedPause), encoder);
  const server = http.createServer(serverTimeouts(config.headersTimeoutMs), createNodeListener(answers, metrics.turn));
  server.on('clientError', onClientError);
  if (config.httpLayer === 'lean') LeanLayer.install(server, answers, metrics.turn);
  return server;
}

/** Protocol-level errors in the JSON shape: an Expect it cannot meet (417), CONNECT (405); a slow header (408) is a clientError. */
function answerProtocolErrors(server: http.Server): void {
  server.on('checkExpectation', onCheckExpectation);
  server.on('connect', onConnect);
}

/** Starts `server` on host:port; closing it is graceful (idle keep-alive sockets closed, requests finished). */
export async function listenOn(server: http.Server, host: string, port: number): Promise<HttpService> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections(); // keep-alive sockets with no request in flight
      return closed;
    },
  };
}
