import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import { describeError, type Logger } from '../log.ts';
import type { InFlightLimit } from '../limit/in-flight-limit.ts';
import { LoopTurn } from '../metrics/loop-turn.ts';
import { RequestTally, ShedTally, UNMATCHED_ROUTE, type RouteTally } from '../metrics/request-tally.ts';
import { JSON_TYPE, type Reply } from './reply.ts';
import {
  OVERLOADED_REPLY,
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

/** What the node layer records per request: the loop turn that read it, counts and durations by route and status, what was shed. */
export interface HttpMetrics {
  turn: LoopTurn;
  tally: RequestTally;
  shed: ShedTally;
}

export function createHttpMetrics(): HttpMetrics {
  return { turn: new LoopTurn(), tally: new RequestTally(), shed: new ShedTally() };
}

/** Only searches are shed: they are the work; /health must keep telling the truth to whoever watches. */
const SHED_ROUTES: ReadonlySet<string> = new Set(['/search']);

/** Writes a Reply; node:http itself leaves the body out of HEAD answers. */
export function writeReply(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, {
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(reply.body),
    ...reply.headers,
  });
  res.end(reply.body);
}

/**
 * The HTTP layer on node:http with find-my-way's radix router. A search read after the
 * limit's count of requests in its event-loop turn is answered 503 overloaded at once: see
 * LoopTurn for why the turn's batch is what is in flight. Each search served is reported to
 * the limit (an adaptive one learns from them).
 */
export function createNodeListener(source: SearchSource, log: Logger, metrics: HttpMetrics, limit: InFlightLimit): RequestListener {
  const { turn, tally, shed } = metrics;
  let position = 0; // of the request being handled, in its turn (handlers run synchronously)
  /** Writes the reply and records it; returns its seconds since the turn began. */
  const answer = (res: ServerResponse, route: RouteTally, reply: Reply): number => {
    writeReply(res, reply);
    const elapsed = turn.elapsedSeconds();
    route.status(reply.status).observe(elapsed);
    return elapsed;
  };
  const failed = (err: unknown): Reply => {
    log.error('request.failed', { error: describeError(err), stack: (err as Error).stack });
    return internalErrorReply();
  };
  const unmatched = tally.route(UNMATCHED_ROUTE);
  const router = FindMyWay({
    caseSensitive: true,
    ignoreTrailingSlash: false,
    defaultRoute: (req, res) => answer(res, unmatched, notFoundReply(req.method ?? '', pathOf(req.url ?? ''))),
    onBadUrl: (path, _req, res) => answer(res, unmatched, badUrlReply(path)),
  });
  const handlers: Record<(typeof ROUTES)[number], (req: IncomingMessage) => Reply> = {
    '/search': (req) => searchReply(source, rawQueryOf(req.url ?? '')),
    '/health': () => healthReply(source),
  };
  const otherMethods = http.METHODS.filter((m) => m !== 'GET' && m !== 'HEAD') as HTTPMethod[];
  for (const route of ROUTES) {
    const routeTally = tally.route(route); // resolved once: the hot path only scans its few statuses
    const handler = handlers[route];
    const sheds = SHED_ROUTES.has(route);
    router.on(['GET', 'HEAD'], route, (req, res) => {
      if (sheds && position > limit.current()) {
        shed.byReason.max_in_flight++;
        answer(res, routeTally, OVERLOADED_REPLY);
        return;
      }
      let reply: Reply;
      try {
        reply = handler(req);
      } catch (err) {
        reply = failed(err);
      }
      const elapsed = answer(res, routeTally, reply);
      if (sheds) limit.served(elapsed, position);
    });
    router.on(otherMethods, route, (req, res) => answer(res, routeTally, methodNotAllowedReply(req.method ?? '', route)));
  }
  return (req, res) => {
    position = turn.arrive();
    try {
      router.lookup(req, res);
    } catch (err) {
      const reply = failed(err);
      if (res.headersSent) res.destroy();
      else writeReply(res, reply);
    }
  };
}
