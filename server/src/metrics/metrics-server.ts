import http from 'node:http';
import type { Registry } from 'prom-client';
import { onClientError } from '../http/client-error.ts';
import { listenOn, type HttpService } from '../http/listen.ts';
import { writeReply } from '../http/node-layer.ts';
import { internalErrorReply, notFoundReply, pathOf } from '../http/routes.ts';
import { describeError, type Logger } from '../log.ts';

export const METRICS_PATH = '/metrics';

/**
 * The side listener: GET /metrics in the Prometheus text format, anything else 404 in the
 * API's JSON error shape. Never on the API's port, so a scrape is not one of the requests it counts.
 */
export function listenMetrics(registry: Registry, host: string, port: number, log: Logger): Promise<HttpService> {
  const server = http.createServer((req, res) => {
    const path = pathOf(req.url ?? '');
    if (path !== METRICS_PATH || (req.method !== 'GET' && req.method !== 'HEAD')) {
      writeReply(res, notFoundReply(req.method ?? '', path));
      return;
    }
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(text) });
        res.end(text);
      },
      (err: unknown) => {
        log.error('metrics.failed', { error: describeError(err) });
        writeReply(res, internalErrorReply());
      },
    );
  });
  server.on('clientError', onClientError);
  return listenOn(server, host, port);
}
