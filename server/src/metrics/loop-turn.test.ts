import { describe, expect, it } from 'vitest';
import { BUDGET_CHECK_EVERY, LoopTurn } from './loop-turn.ts';
import { StatusTally } from './request-tally.ts';

const checkPhase = () => new Promise((resolve) => setImmediate(resolve));

/** A turn whose clock the test moves. */
function fakeLoop() {
  const loop = { now: 1000, turns: [] as number[][] };
  const turn = new LoopTurn((searches, searchMs, batch, turnMs, endedAt) => loop.turns.push([searches, searchMs, batch, turnMs, endedAt]), () => loop.now);
  return { turn, loop };
}

describe('LoopTurn', () => {
  it('numbers the requests read in one turn, from 1 again in the next', async () => {
    const { turn } = fakeLoop();
    expect([turn.arrive(), turn.arrive(), turn.arrive()]).toEqual([1, 2, 3]);
    await checkPhase();
    expect(turn.arrive()).toBe(1);
  });

  it('observes each answer at its share of the turn, once the turn ends, and reports the turn', async () => {
    const { turn, loop } = fakeLoop();
    const ok = new StatusTally(200);
    const shed = new StatusTally(503);
    turn.answered(turn.arrive(), ok, true);
    turn.answered(turn.arrive(), ok, true);
    turn.answered(turn.arrive(), shed, false);
    loop.now += 3;
    expect(ok.count).toBe(0); // folded once, when the turn is over
    await checkPhase();
    expect([ok.count, ok.sumSeconds, shed.count, shed.sumSeconds]).toEqual([2, 0.003, 1, 0.003]);
    // Two searches served, at 1 and 2 ms of a turn of 3 requests and 3 ms, which ended at 1003.
    expect(loop.turns).toEqual([[2, 3, 3, 3, 1003]]);
  });

  it('leaves a request read but never answered (malformed) out of the tallies', async () => {
    const { turn } = fakeLoop();
    const ok = new StatusTally(200);
    turn.arrive();
    turn.answered(turn.arrive(), ok, false);
    await checkPhase();
    expect(ok.count).toBe(1);
  });

  it('keeps the largest batch over the current and the previous window', async () => {
    const { turn } = fakeLoop();
    turn.arrive();
    turn.arrive();
    await checkPhase();
    turn.arrive();
    expect(turn.peakBatch()).toBe(2);
    turn.nextWindow();
    expect(turn.peakBatch()).toBe(2);
    await checkPhase();
    turn.nextWindow();
    expect(turn.peakBatch()).toBe(1); // the batch still open when the window turned
    turn.nextWindow();
    expect(turn.peakBatch()).toBe(0);
  });

  it('puts the rest of a turn past its budget once the clock, read every few requests, says it has run longer', async () => {
    const { turn, loop } = fakeLoop();
    turn.budgetMs = 10;
    const past: boolean[] = [];
    for (let i = 0; i < 3 * BUDGET_CHECK_EVERY; i++) {
      past.push(turn.pastBudget(turn.arrive()));
      loop.now += 1; // each answer takes 1 ms: the budget is spent after the 10th
    }
    // Read at the 4th (3 ms in), the 8th (7 ms), the 12th (11 ms: over): from there on, past it.
    expect(past.indexOf(true)).toBe(3 * BUDGET_CHECK_EVERY - 1);
    await checkPhase();
    expect(turn.pastBudget(turn.arrive())).toBe(false); // a new turn starts within its budget
  });

  it('never reads the clock for the budget when there is none', () => {
    let reads = 0;
    const turn = new LoopTurn(undefined, () => ++reads);
    for (let i = 0; i < 4 * BUDGET_CHECK_EVERY; i++) expect(turn.pastBudget(turn.arrive())).toBe(false);
    expect(reads).toBe(1); // the turn's start only
  });
});
