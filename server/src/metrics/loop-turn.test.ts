import { describe, expect, it } from 'vitest';
import { LoopTurn } from './loop-turn.ts';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('LoopTurn', () => {
  it('numbers the requests read in one turn, from 1 again in the next', async () => {
    const turn = new LoopTurn();
    expect([turn.arrive(), turn.arrive(), turn.arrive()]).toEqual([1, 2, 3]);
    await nextTurn();
    expect(turn.arrive()).toBe(1);
  });

  it('keeps the largest batch over the current and the previous window', async () => {
    const turn = new LoopTurn();
    turn.arrive();
    turn.arrive();
    await nextTurn();
    turn.arrive();
    expect(turn.peakBatch()).toBe(2);
    turn.nextWindow();
    expect(turn.peakBatch()).toBe(2);
    await nextTurn();
    turn.nextWindow();
    expect(turn.peakBatch()).toBe(1); // the batch still open when the window turned
    turn.nextWindow();
    expect(turn.peakBatch()).toBe(0);
  });

  it('measures a request from the start of its turn', async () => {
    const turn = new LoopTurn();
    turn.arrive();
    const first = turn.elapsedSeconds();
    turn.arrive();
    expect(turn.elapsedSeconds()).toBeGreaterThanOrEqual(first);
  });
});
