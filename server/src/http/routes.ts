import type { SearchIndex } from '../search-index.ts';
import type { ResponseCache } from '../response-cache.ts';
import { parseSearchQuery, rangeKey } from '../search.ts';
import { quoteInput } from '../quote.ts';
import { errorReply, jsonReply, type Reply } from './reply.ts';

/** What the HTTP layer reads; the service swaps the index after each poll that changed the catalogue. */
export interface SearchSource {
  /** True once data came from disk or from a first successful poll. */
  ready(): boolean;
  index(): SearchIndex;
  /** Answers by normalised query for the current index version. */
  cache: ResponseCache;
  status(): Record<string, unknown>;
}

/** The only paths; matched exactly (case-sensitive, no trailing slash), see the spec. */
export const ROUTES = ['/search', '/health'] as const;
export const ALLOWED_METHODS = 'GET, HEAD';

const NOT_READY_MESSAGE = 'no data yet: waiting for the first successful poll';

export function searchReply(source: SearchSource, rawQuery: string): Reply {
  const query = parseSearchQuery(rawQuery);
  if (!query.ok) return errorReply(400, 'invalid_parameter', query.message);
  if (!source.ready()) return errorReply(503, 'not_ready', NOT_READY_MESSAGE);
  const index = source.index();
  const body = source.cache.get(index.version, rangeKey(query.range), () => index.answer(query.range));
  return { status: 200, body };
}

export function healthReply(source: SearchSource): Reply {
  if (!source.ready()) return errorReply(503, 'not_ready', NOT_READY_MESSAGE);
  return jsonReply(200, { data: source.status(), error: null });
}

export function methodNotAllowedReply(method: string, path: string): Reply {
  return errorReply(405, 'method_not_allowed', `${quoteInput(method)} is not allowed on ${path}; use GET`, { allow: ALLOWED_METHODS });
}

export function notFoundReply(method: string, path: string): Reply {
  return errorReply(404, 'not_found', `no route for ${quoteInput(method)} ${quoteInput(path)}`);
}

export function badUrlReply(path: string): Reply {
  return errorReply(400, 'bad_request', `malformed URL ${quoteInput(path)}`);
}

/** A request shed by a limit: answered at once, the client told when to come back. Built once (its body a Buffer, so its head is prebuilt too). */
const overloaded = errorReply(503, 'overloaded', 'the service is over its concurrency limit; retry later', { 'retry-after': '1' });
export const OVERLOADED_REPLY: Reply = { ...overloaded, body: Buffer.from(overloaded.body) };

export const internalErrorReply = (): Reply => errorReply(500, 'internal_error', 'internal error');

/** The raw query string of a request target (without '?'), '' when there is none. */
export function rawQueryOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? '' : url.slice(q + 1);
}

/** The path of a request target, without the query. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
