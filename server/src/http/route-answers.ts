import { describeError, type Logger } from '../log.ts';
import type { InFlightLimit } from '../limit/in-flight-limit.ts';
import type { RefusalPolicy } from '../limit/fair-refusal.ts';
import { UNMATCHED_ROUTE } from '../metrics/request-tally.ts';
import type { HttpMetrics } from './node-layer.ts';
import { DEFAULT_COMPRESSION, createAnswerEncoder, type AnswerEncoder } from './encodings.ts';
import type { Reply } from './reply.ts';
import { OVERLOADED_REPLY, ROUTES, healthReply, internalErrorReply, methodNotAllowedReply, notFoundReply, pathOf, rawQueryOf, searchReply, type SearchSource } from './routes.ts';

export type Route = (typeof ROUTES)[number];

/** Only searches are shed: they are the work; /health must keep telling the truth to whoever watches. */
const SHED_ROUTES: ReadonlySet<string> = new Set(['/search']);

/**
 * What every HTTP layer of the service answers to a request of a route, counted in its
 * loop turn: the limit's gate (while the loop is behind, a search read past the limit is answered
 * 503 overloaded unless the refusal policy serves it anyway), the handler, the coding the client prefers. The layer
 * only parses, writes, and calls `turn.arrive()` for the request's position.
 */
export interface RouteAnswers {
  /** The answers of each route, resolved once. */
  routes: Record<Route, RouteAnswer>;
  /** A path that is no route (or a route spelled otherwise, e.g. percent-encoded): 404. */
  notFound(method: string, url: string, position: number): Reply;
  /** A fault of the service: logged, answered 500. */
  failed(err: unknown): Reply;
}

export interface RouteAnswer {
  /** GET or HEAD, the target spelled exactly as the route (see spelledAs); `connection` is what fair refusal counts per. */
  get(url: string, connection: object, acceptEncoding: string | undefined, position: number): Reply;
  /** Any other method: 405 with Allow. */
  otherMethod(method: string, position: number): Reply;
}

export function createRouteAnswers(source: SearchSource, log: Logger, metrics: HttpMetrics, limit: InFlightLimit, refusal: RefusalPolicy, encoded: AnswerEncoder = createAnswerEncoder(DEFAULT_COMPRESSION)): RouteAnswers {
  const { turn, tally, shed, queue } = metrics;
  // With the sojourn signal (chapter 19) a search is past the limit by its turn's time alone: a count would end turns before the target and the state that refuses with them.
  const byCount = queue.targetMs === 0 || turn.budgetMs === Infinity;
  const unmatched = tally.route(UNMATCHED_ROUTE);
  const failed = (err: unknown): Reply => {
    log.error('request.failed', { error: describeError(err), stack: (err as Error).stack });
    return internalErrorReply();
  };
  const handlers: Record<Route, (url: string) => Reply> = {
    '/search': (url) => searchReply(source, rawQueryOf(url)),
    '/health': () => healthReply(source),
  };
  const answerOf = (route: Route): RouteAnswer => {
    const routeTally = tally.route(route); // resolved once: the hot path only scans its few statuses
    const handler = handlers[route];
    const sheds = SHED_ROUTES.has(route);
    return {
      get(url, connection, acceptEncoding, position) {
        // While the loop is behind (chapter 18) every search goes to the refusal policy (chapter 20: it counts what each connection asks); past the limit once the turn has run its budget of time (chapter 17), or (chapter 18's signal, or no budget) later in the turn than its count allows.
        if (sheds && queue.behind && !refusal.admit(connection, position, limit.current(), (byCount && position > limit.current()) || turn.pastBudget(position))) {
          shed.byReason.max_in_flight++;
          turn.answered(position, routeTally.status(OVERLOADED_REPLY.status), false);
          return OVERLOADED_REPLY;
        }
        let reply: Reply;
        try {
          reply = handler(url);
        } catch (err) {
          reply = failed(err);
        }
        // A ready answer (a cached search) in the coding the client prefers, compressed once off the request path.
        if (reply.status === 200 && typeof reply.body !== 'string') reply = encoded.choose(200, reply.body, acceptEncoding);
        turn.answered(position, routeTally.status(reply.status), sheds);
        return reply;
      },
      otherMethod(method, position) {
        const reply = methodNotAllowedReply(method, route);
        turn.answered(position, routeTally.status(reply.status), false);
        return reply;
      },
    };
  };
  return {
    routes: { '/search': answerOf('/search'), '/health': answerOf('/health') },
    notFound(method, url, position) {
      const reply = notFoundReply(method, pathOf(url));
      turn.answered(position, unmatched.status(reply.status), false);
      return reply;
    },
    failed,
  };
}

/** True when the raw target's path is exactly `route` (find-my-way matches the percent-decoded path: `/%73earch` would be `/search`). */
export function spelledAs(url: string, route: string): boolean {
  return url.startsWith(route) && (url.length === route.length || url.charCodeAt(route.length) === QUESTION_MARK);
}
const QUESTION_MARK = 0x3f;
