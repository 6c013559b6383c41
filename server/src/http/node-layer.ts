import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import type { InFlightLimit } from '../limit/in-flight-limit.ts';
import { StandingQueue } from '../limit/standing-queue.ts';
import { LoopTurn } from '../metrics/loop-turn.ts';
import { RequestTally, ShedTally } from '../metrics/request-tally.ts';
import { acceptEncodingOf } from './encodings.ts';
import { PrebuiltAnswers } from './prebuilt.ts';
import { JSON_TYPE, type Reply } from './reply.ts';
import { spelledAs, type RouteAnswers } from './route-answers.ts';
import { ROUTES, badUrlReply } from './routes.ts';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** What the node layer records per request: the loop turn that read it, counts and durations by route and status, what was shed; whether the loop is behind. */
export interface HttpMetrics {
  turn: LoopTurn;
  tally: RequestTally;
  shed: ShedTally;
  /** The limit and the turn budget refuse only while it is behind (chapter 18). */
  queue: StandingQueue;
}

/**
 * The layer's metrics; each loop turn, once folded, is reported to `limit` (an adaptive one
 * learns from them) and to the standing queue; past `turnBudgetMs` (0: none) a turn's searches
 * are past the limit; the limit applies once every turn has been over for `standingMs` (0: always):
 * longer than `targetMs`, or with `targetMs` 0 read more than the limit (see StandingQueue).
 */
export function createHttpMetrics(limit?: InFlightLimit, turnBudgetMs = 0, standingMs = 0, targetMs = 0): HttpMetrics {
  const queue = new StandingQueue(standingMs, targetMs);
  const onTurn = limit === undefined ? undefined : (searches: number, searchMs: number, batch: number, turnMs: number, endedAt: number): void => {
    queue.turn(batch, limit.current(), turnMs, endedAt);
    limit.turn(searches, searchMs, batch, turnMs, endedAt);
  };
  const turn = new LoopTurn(onTurn);
  // The budget bounds a turn's time only where there is a limit to be past.
  if (limit !== undefined && turnBudgetMs > 0 && limit.current() !== Infinity) turn.budgetMs = turnBudgetMs;
  return { turn, tally: new RequestTally(), shed: new ShedTally(), queue };
}

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

/**
 * The HTTP layer on node:http with find-my-way's radix router, answering through `answers`
 * (route-answers.ts: the limit's gate, fair refusal, the handlers, the coding): see LoopTurn
 * for why the turn's batch is what is in flight. Per request the layer only stores which
 * tally the answer counts in; the turn folds them, and reports its searches to the limit.
 */
export function createNodeListener(answers: RouteAnswers, turn: LoopTurn): RequestListener {
  let position = 0; // of the request being handled, in its turn (handlers run synchronously)
  const notFound = (req: IncomingMessage, res: ServerResponse): void => writeReply(res, answers.notFound(req.method ?? '', req.url ?? '', position));
  const router = FindMyWay({
    caseSensitive: true,
    ignoreTrailingSlash: false,
    defaultRoute: notFound,
    // A malformed request is not a request of any route: answered, never counted (the spec's protocol-level errors).
    onBadUrl: (path, _req, res) => writeReply(res, badUrlReply(path)),
  });
  const otherMethods = http.METHODS.filter((m) => m !== 'GET' && m !== 'HEAD') as HTTPMethod[];
  for (const route of ROUTES) {
    const answer = answers.routes[route];
    router.on(['GET', 'HEAD'], route, (req, res) => {
      if (!spelledAs(req.url ?? '', route)) return notFound(req, res);
      writeReply(res, answer.get(req.url ?? '', req.socket, acceptEncodingOf(req.rawHeaders), position));
    });
    router.on(otherMethods, route, (req, res) => {
      if (!spelledAs(req.url ?? '', route)) return notFound(req, res);
      writeReply(res, answer.otherMethod(req.method ?? '', position));
    });
  }
  return (req, res) => {
    position = turn.arrive();
    try {
      router.lookup(req, res);
    } catch (err) {
      const reply = answers.failed(err);
      if (res.headersSent) res.destroy();
      else writeReply(res, reply);
    }
  };
}
