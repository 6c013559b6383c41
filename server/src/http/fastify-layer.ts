import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import Fastify, { type FastifyReply } from 'fastify';
import { describeError, type Logger } from '../log.ts';
import { onClientError } from './client-error.ts';
import { quoteInput } from '../quote.ts';
import { JSON_TYPE, errorReply, type Reply } from './reply.ts';
import { ROUTES, badUrlReply, healthReply, internalErrorReply, methodNotAllowedReply, notFoundReply, pathOf, rawQueryOf, searchReply, type SearchSource } from './routes.ts';

function send(res: FastifyReply, reply: Reply): FastifyReply {
  return res.code(reply.status).headers({ 'content-type': JSON_TYPE, ...reply.headers }).send(reply.body);
}

/**
 * The same routes on fastify (the experiment `--http-layer fastify`): fastify gets our own
 * node:http server through serverFactory, so listening and closing stay the service's.
 */
export async function createFastifyServer(source: SearchSource, log: Logger, options: http.ServerOptions): Promise<http.Server> {
  let server: http.Server | undefined;
  const app = Fastify({
    logger: false,
    caseSensitive: true,
    ignoreTrailingSlash: false,
    return503OnClosing: false,
    frameworkErrors: (err, req, res) => {
      if (err.code === 'FST_ERR_BAD_URL') return send(res, badUrlReply(pathOf(req.raw.url ?? '')));
      return send(res, errorReply(400, 'bad_request', quoteInput(describeError(err))));
    },
    clientErrorHandler: (err, socket) => onClientError(err, socket as never),
    serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) => {
      server = http.createServer(options, handler);
      return server;
    },
  });
  // Bodies are never read: a request with any body still reaches its route (and its 405).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
  const otherMethods = ['DELETE', 'OPTIONS', 'PATCH', 'POST', 'PUT'];
  for (const route of ROUTES) {
    app.route({
      method: 'GET',
      url: route,
      handler: (req, res) => {
        const reply = route === '/search' ? searchReply(source, rawQueryOf(req.raw.url ?? '')) : healthReply(source);
        return send(res, reply);
      },
    });
    app.route({ method: otherMethods, url: route, handler: (req, res) => send(res, methodNotAllowedReply(req.method, route)) });
  }
  app.setNotFoundHandler((req, res) => send(res, notFoundReply(req.method, pathOf(req.raw.url ?? ''))));
  app.setErrorHandler((err, req, res) => {
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return send(res, errorReply(status, 'bad_request', quoteInput(describeError(err))));
    }
    log.error('request.failed', { error: describeError(err), stack: err instanceof Error ? err.stack : undefined });
    return send(res, internalErrorReply());
  });
  await app.ready();
  if (!server) throw new Error('fastify did not create its server');
  return server;
}
