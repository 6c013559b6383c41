import { describe, expect, it } from 'vitest';
import { StandingQueue } from './standing-queue.ts';

const LIMIT = 32;

/** Back-to-back turns of `turnMs` each from `start` (ms), each reading `batch` requests: when the last ended. */
function turns(queue: StandingQueue, count: number, batch: number, turnMs: number, start: number): number {
  let end = start;
  for (let i = 0; i < count; i++) {
    end += turnMs;
    queue.turn(batch, LIMIT, turnMs, end);
  }
  return end;
}

/** A queue whose loop has just ended a small turn at 0 ms (the first turn after start follows an idle loop); chapter 18's batch signal unless a target is given. */
function fresh(intervalMs = 100, targetMs = 0): StandingQueue {
  const queue = new StandingQueue(intervalMs, targetMs);
  queue.turn(1, LIMIT, 1, 0);
  return queue;
}

describe('StandingQueue, the batch signal (chapter 18)', () => {
  it('is not behind after a burst past the limit that drains within the interval (a good queue)', () => {
    const queue = fresh();
    let end = turns(queue, 10, 4, 1, 0);
    end = turns(queue, 3, 80, 20, end); // one slow turn's backlog, read over 60 ms
    expect(queue.behind).toBe(false);
    turns(queue, 50, 4, 1, end); // drained: small turns again
    expect(queue.behind).toBe(false);
  });

  it('is behind once every turn has read more than the limit for the whole interval (a standing queue)', () => {
    const queue = fresh();
    let end = turns(queue, 4, 200, 20, 0); // 80 ms
    expect(queue.behind).toBe(false);
    end = turns(queue, 1, 200, 20, end); // 100 ms
    expect(queue.behind).toBe(true);
    // Still behind after one small turn: it takes an interval of them to leave.
    end = turns(queue, 1, 8, 5, end);
    expect(queue.behind).toBe(true);
    end = turns(queue, 1, 200, 20, end);
    end = turns(queue, 19, 8, 5, end); // 95 ms below the limit
    expect(queue.behind).toBe(true);
    turns(queue, 1, 8, 5, end); // 100 ms
    expect(queue.behind).toBe(false);
  });

  it('starts a run again when a turn on the other side comes between', () => {
    const queue = fresh();
    let end = turns(queue, 9, 200, 10, 0);
    end = turns(queue, 1, 8, 1, end);
    end = turns(queue, 9, 200, 10, end);
    expect(queue.behind).toBe(false);
  });

  it('does not count a turn read after the loop was idle for a whole interval as behind, however large', () => {
    const queue = fresh();
    // Bursts of 200 every 150 ms, each read in a 10 ms turn: 140 ms of idle loop between them.
    for (let start = 0; start < 3000; start += 150) queue.turn(200, LIMIT, 10, start + 10);
    expect(queue.behind).toBe(false);
  });

  it('counts turns with shorter gaps between them as back to back (a process descheduled between turns is not idle)', () => {
    const queue = fresh();
    for (let start = 0; start < 200; start += 30) queue.turn(200, LIMIT, 10, start + 10);
    expect(queue.behind).toBe(true);
  });

  it('is always behind with an interval of 0 (the limit on every turn, chapters 8–17)', () => {
    const queue = new StandingQueue(0);
    expect(queue.behind).toBe(true);
    turns(queue, 100, 1, 1, 0);
    expect(queue.behind).toBe(true);
  });
});

describe('StandingQueue, the sojourn signal (chapter 19)', () => {
  it('is behind once every turn has run longer than the target for the interval, however few searches each read', () => {
    const queue = fresh(100, 5);
    let end = turns(queue, 9, 4, 10, 0); // 90 ms of 10 ms turns, each under the limit's count
    expect(queue.behind).toBe(false);
    end = turns(queue, 1, 4, 10, end);
    expect(queue.behind).toBe(true);
    // It takes an interval of turns within the target to leave.
    end = turns(queue, 19, 4, 5, end);
    expect(queue.behind).toBe(true);
    turns(queue, 1, 4, 5, end);
    expect(queue.behind).toBe(false);
  });

  it('is not behind while turns read more than the limit but stay within the target (cheap answers: the queue drains)', () => {
    const queue = fresh(100, 5);
    turns(queue, 100, 200, 4, 0);
    expect(queue.behind).toBe(false);
  });

  it('is not behind after one slow turn whose backlog drains within the interval (a good queue)', () => {
    const queue = fresh(100, 5);
    let end = turns(queue, 10, 2, 1, 0);
    end = turns(queue, 2, 40, 30, end); // a collection, then its backlog
    turns(queue, 50, 2, 1, end);
    expect(queue.behind).toBe(false);
  });

  it('starts a run again when a turn within the target comes between', () => {
    const queue = fresh(100, 5);
    let end = turns(queue, 9, 4, 10, 0);
    end = turns(queue, 1, 4, 2, end);
    turns(queue, 9, 4, 10, end);
    expect(queue.behind).toBe(false);
  });

  it('does not count a long turn read after the loop was idle for a whole interval', () => {
    const queue = fresh(100, 5);
    for (let start = 0; start < 3000; start += 150) queue.turn(1, LIMIT, 20, start + 20);
    expect(queue.behind).toBe(false);
  });
});
