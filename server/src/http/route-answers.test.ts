import { describe, expect, it } from 'vitest';
import { fixedLimit } from '../limit/in-flight-limit.ts';
import { FairRefusal, UNFAIR_REFUSAL, type RefusalPolicy } from '../limit/fair-refusal.ts';
import { StandingQueue } from '../limit/standing-queue.ts';
import type { Logger } from '../log.ts';
import { LoopTurn } from '../metrics/loop-turn.ts';
import { RequestTally, ShedTally } from '../metrics/request-tally.ts';
import { createHttpMetrics, type HttpMetrics } from './node-layer.ts';
import { createRouteAnswers } from './route-answers.ts';
import type { SearchSource } from './routes.ts';

const BODY = Buffer.from('{"data":{"events":[]},"error":null}');
/** A source whose every search is the same ready answer (a cache hit). */
const source = {
  ready: () => true,
  index: () => ({ version: 1, answer: () => BODY }),
  cache: { get: (_version: number, _key: string, build: () => Buffer) => build() },
  status: () => ({ status: 'ok' }),
} as unknown as SearchSource;
const quiet = { info() {}, warn() {}, error() {} } as unknown as Logger;
const SEARCH = '/search?starts_at=2021-01-01T00:00:00Z&ends_at=2021-12-31T00:00:00Z';

/** One loop turn of searches, each taking 1 ms of the turn's clock, under a limit of `limit` and a 10 ms budget, the loop behind unless `queue` says otherwise: their statuses. */
function oneTurn(refusal: RefusalPolicy, connections: object[], queue = new StandingQueue(0), limit = 64): { statuses: number[]; metrics: HttpMetrics } {
  let now = 0;
  const metrics: HttpMetrics = { turn: new LoopTurn(undefined, () => now), tally: new RequestTally(), shed: new ShedTally(), queue };
  metrics.turn.budgetMs = 10;
  const search = createRouteAnswers(source, quiet, metrics, fixedLimit(limit), refusal).routes['/search'];
  const statuses = connections.map((connection) => {
    const status = search.get(SEARCH, connection, undefined, metrics.turn.arrive()).status;
    now += 1;
    return status;
  });
  return { statuses, metrics };
}

describe('the route answers\' gate with a turn budget', () => {
  it('answers 503 overloaded once the turn has run its budget, well under the limit\'s count', () => {
    const greedy = {};
    const { statuses, metrics } = oneTurn(UNFAIR_REFUSAL, Array(16).fill(greedy));
    // The clock is read at the 4th, 8th and 12th search: 11 ms in at the 12th, past the 10 ms budget.
    expect(statuses).toEqual([...Array(11).fill(200), ...Array(5).fill(503)]);
    expect(metrics.shed.byReason.max_in_flight).toBe(5);
  });

  it('still serves a newcomer past the budget under fair refusal', () => {
    const greedy = {};
    const { statuses } = oneTurn(new FairRefusal({ now: () => 0 }), [...Array(15).fill(greedy), {}]);
    // The greedy connection has asked 11 searches by the first past the budget: refused from there (chapter 20).
    expect(statuses.slice(11, 15)).toEqual([503, 503, 503, 503]);
    expect(statuses[15]).toBe(200);
    // Counting only the searches past the limit (chapters 14–19), its first search past the budget looked light.
    const another = {}; // a connection's counts live on it: one no other policy has counted
    const pastLimit = oneTurn(new FairRefusal({ counted: 'past-limit', now: () => 0 }), [...Array(15).fill(another), {}]).statuses;
    expect(pastLimit.slice(11, 16)).toEqual([200, 503, 503, 503, 200]);
  });

  it('is set only where there is a limit to be past', () => {
    expect(createHttpMetrics(fixedLimit(64), 10).turn.budgetMs).toBe(10);
    expect(createHttpMetrics(fixedLimit(0), 10).turn.budgetMs).toBe(Infinity);
    expect(createHttpMetrics(fixedLimit(64), 0).turn.budgetMs).toBe(Infinity);
  });
});

describe('the route answers\' gate and the standing queue (chapter 18)', () => {
  it('serves every search of a turn past the limit\'s count and past the budget while the loop is not behind', () => {
    const queue = new StandingQueue(100);
    const { statuses, metrics } = oneTurn(UNFAIR_REFUSAL, Array(16).fill({}), queue, 4);
    expect(statuses).toEqual(Array(16).fill(200));
    expect(metrics.shed.byReason.max_in_flight).toBe(0);
  });

  it('refuses past the limit\'s count once the loop has been behind for the interval', () => {
    const queue = new StandingQueue(100);
    queue.turn(1, 4, 1, 0);
    queue.turn(20, 4, 60, 60);
    queue.turn(20, 4, 60, 120); // 120 ms of back-to-back turns that each read more than the limit
    expect(queue.behind).toBe(true);
    const { statuses } = oneTurn(UNFAIR_REFUSAL, Array(8).fill({}), queue, 4);
    expect(statuses).toEqual([200, 200, 200, 200, 503, 503, 503, 503]);
  });

  it('is always behind with an interval of 0: the limit on every turn (chapters 8–17)', () => {
    expect(createHttpMetrics(fixedLimit(64), 10, 0).queue.behind).toBe(true);
    expect(createHttpMetrics(fixedLimit(64), 10, 100).queue.behind).toBe(false);
  });
});

describe('the route answers\' gate with the sojourn signal (chapter 19)', () => {
  it('refuses by the turn\'s time alone while the loop is behind: a count past the limit is served', () => {
    const { statuses } = oneTurn(UNFAIR_REFUSAL, Array(16).fill({}), new StandingQueue(0, 5), 4);
    // Past the count of 4 from the 5th search; past the 10 ms budget only at the 12th (the clock is read every 4th).
    expect(statuses).toEqual([...Array(11).fill(200), ...Array(5).fill(503)]);
  });

  it('refuses past the count with chapter 18\'s batch signal (target 0)', () => {
    const { statuses } = oneTurn(UNFAIR_REFUSAL, Array(16).fill({}), new StandingQueue(0, 0), 4);
    expect(statuses).toEqual([...Array(4).fill(200), ...Array(12).fill(503)]);
  });

  it('still serves a newcomer past the budget under fair refusal', () => {
    const greedy = {};
    const { statuses } = oneTurn(new FairRefusal({ now: () => 0 }), [...Array(15).fill(greedy), {}], new StandingQueue(0, 5));
    // As with chapter 17's gate: the greedy connection asked its 11 searches under the budget, and is refused past it.
    expect(statuses.slice(11, 15)).toEqual([503, 503, 503, 503]);
    expect(statuses[15]).toBe(200);
  });

  it('passes the target to the standing queue', () => {
    expect(createHttpMetrics(fixedLimit(64), 10, 100, 5).queue.targetMs).toBe(5);
    expect(createHttpMetrics(fixedLimit(64), 10, 100).queue.targetMs).toBe(0);
  });
});
