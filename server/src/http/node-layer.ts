import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import { describeError, type Logger } from '../log.ts';
import type { InFlightLimit } from '../limit/in-flight-limit.ts';
import { UNFAIR_REFUSAL, type RefusalPolicy } from '../limit/fair-refusal.ts';
import { LoopTurn } from '../metrics/loop-turn.ts';
import { RequestTally, ShedTally, UNMATCHED_ROUTE } from '../metrics/request-tally.ts';
import { DEFAULT_COMPRESSION, acceptEncodingOf, createAnswerEncoder, type AnswerEncoder } from './encodings.ts';
import { PrebuiltAnswers } from './prebuilt.ts';
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

/** The layer's metrics; each loop turn, once folded, is reported to `limit` (an adaptive one learns from them). */
export function createHttpMetrics(limit?: InFlightLimit): HttpMetrics {
  const onTurn = limit === undefined ? undefined : limit.turn.bind(limit);
  return { turn: new LoopTurn(onTurn), tally: new RequestTally(), shed: new ShedTally() };
}

/** Only searches are shed: they are the work; /health must keep telling the truth to whoever watches. */
const SHED_ROUTES: ReadonlySet<string> = new Set(['/search']);

const prebuilt = new PrebuiltAnswers();

/** Writes a Reply (with its prebuilt head when it has one: see PrebuiltAnswers); node:http itself leaves the body out of HEAD answers. */
export function writeReply(res: ServerResponse, reply: Reply): void {
  if (prebuilt.write(res, reply)) return;
  res.writeHead(reply.status, {
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(reply.body),
    ...reply.headers,
  });
  res.end(reply.body);
}

/** True when the raw target's path is exactly `route` (find-my-way matches the percent-decoded path: `/%73earch` would be `/search`). */
function spelledAs(url: string, route: string): boolean {
  return url.startsWith(route) && (url.length === route.length || url.charCodeAt(route.length) === QUESTION_MARK);
}
const QUESTION_MARK = 0x3f;

/**
 * The HTTP layer on node:http with find-my-way's radix router. A search read after the
 * limit's count of requests in its event-loop turn is answered 503 overloaded at once — unless
 * the refusal policy serves it anyway (fair refusal, chapter 14: a connection asking far less
 * than the others, limit/fair-refusal.ts): see LoopTurn for why the turn's batch is what is in flight. Per request the layer only stores
 * which tally the answer counts in; the turn folds them, and reports its searches to the limit.
 */
export function createNodeListener(source: SearchSource, log: Logger, metrics: HttpMetrics, limit: InFlightLimit, refusal: RefusalPolicy = UNFAIR_REFUSAL, encoded: AnswerEncoder = createAnswerEncoder(DEFAULT_COMPRESSION)): RequestListener {
  const { turn, tally, shed } = metrics;
  let position = 0; // of the request being handled, in its turn (handlers run synchronously)
  const failed = (err: unknown): Reply => {
    log.error('request.failed', { error: describeError(err), stack: (err as Error).stack });
    return internalErrorReply();
  };
  const unmatched = tally.route(UNMATCHED_ROUTE);
  const notFound = (req: IncomingMessage, res: ServerResponse): void => {
    const reply = notFoundReply(req.method ?? '', pathOf(req.url ?? ''));
    writeReply(res, reply);
    turn.answered(position, unmatched.status(reply.status), false);
  };
  const router = FindMyWay({
    caseSensitive: true,
    ignoreTrailingSlash: false,
    defaultRoute: notFound,
    // A malformed request is not a request of any route: answered, never counted (the spec's protocol-level errors).
    onBadUrl: (path, _req, res) => writeReply(res, badUrlReply(path)),
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
      if (!spelledAs(req.url ?? '', route)) return notFound(req, res);
      if (sheds && position > limit.current() && !refusal.admitPastLimit(req.socket, position, limit.current())) {
        shed.byReason.max_in_flight++;
        writeReply(res, OVERLOADED_REPLY);
        turn.answered(position, routeTally.status(OVERLOADED_REPLY.status), false);
        return;
      }
      let reply: Reply;
      try {
        reply = handler(req);
      } catch (err) {
        reply = failed(err);
      }
      // A ready answer (a cached search) in the coding the client prefers, compressed once off the request path.
      if (reply.status === 200 && typeof reply.body !== 'string') reply = encoded.choose(200, reply.body, acceptEncodingOf(req.rawHeaders));
      writeReply(res, reply);
      turn.answered(position, routeTally.status(reply.status), sheds);
    });
    router.on(otherMethods, route, (req, res) => {
      if (!spelledAs(req.url ?? '', route)) return notFound(req, res);
      const reply = methodNotAllowedReply(req.method ?? '', route);
      writeReply(res, reply);
      turn.answered(position, routeTally.status(reply.status), false);
    });
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
