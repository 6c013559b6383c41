import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import { describeError, type Logger } from '../log.ts';
import { JSON_TYPE, type Reply } from './reply.ts';
import {
  ROUTES,
  badUrlReply,
  healthReply,
  internalErrorReply,
  methodNotAllowedReply,
  notFoundReply,
  pathOf,
  rawQueryOf,
  searchReply,
  type SearchSource,
} from './routes.ts';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** Writes a Reply; node:http itself leaves the body out of HEAD answers. */
export function writeReply(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, {
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(reply.body),
    ...reply.headers,
  });
  res.end(reply.body);
}

/** The HTTP layer on node:http with find-my-way's radix router. */
export function createNodeListener(source: SearchSource, log: Logger): RequestListener {
  const router = FindMyWay({
    caseSensitive: true,
    ignoreTrailingSlash: false,
    defaultRoute: (req, res) => writeReply(res, notFoundReply(req.method ?? '', pathOf(req.url ?? ''))),
    onBadUrl: (path, _req, res) => writeReply(res, badUrlReply(path)),
  });
  const handlers: Record<(typeof ROUTES)[number], (req: IncomingMessage) => Reply> = {
    '/search': (req) => searchReply(source, rawQueryOf(req.url ?? '')),
    '/health': () => healthReply(source),
  };
  const otherMethods = http.METHODS.filter((m) => m !== 'GET' && m !== 'HEAD') as HTTPMethod[];
  for (const route of ROUTES) {
    router.on(['GET', 'HEAD'], route, (req, res) => writeReply(res, handlers[route](req)));
    router.on(otherMethods, route, (req, res) => writeReply(res, methodNotAllowedReply(req.method ?? '', route)));
  }
  return (req, res) => {
    try {
      router.lookup(req, res);
    } catch (err) {
      log.error('request.failed', { error: describeError(err), stack: (err as Error).stack });
      if (res.headersSent) res.destroy();
      else writeReply(res, internalErrorReply());
    }
  };
}
