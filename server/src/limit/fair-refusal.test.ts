import { describe, expect, it } from 'vitest';
import { FairRefusal, UNFAIR_REFUSAL } from './fair-refusal.ts';

/** One turn past a limit of `limit`: each connection's search in order; which were served anyway. */
function turn(policy: FairRefusal, limit: number, connections: object[]): boolean[] {
  return connections.map((connection, i) => policy.admit(connection, limit + 1 + i, limit, true));
}

describe('FairRefusal', () => {
  it('refuses the greedy connections and serves a polite one past the limit, kept-alive or new', () => {
    let now = 0;
    const policy = new FairRefusal({ now: () => now });
    const greedy = Array.from({ length: 100 }, () => ({}));
    const polite = {};
    // 3 s of turns every 10 ms, every greedy connection past the limit in each; the polite one every 250 ms.
    const politeServed: boolean[] = [];
    const newcomerServed: boolean[] = [];
    let greedyServed = 0;
    for (let t = 0; t < 300; t++, now += 10) {
      const batch = [...greedy];
      if (t % 25 === 0) batch.splice(50, 0, polite);
      if (t % 25 === 12) batch.splice(50, 0, {}); // a newcomer: a new connection
      const served = turn(policy, 32, batch);
      batch.forEach((connection, i) => {
        if (connection === polite) politeServed.push(served[i]);
        else if (!greedy.includes(connection)) newcomerServed.push(served[i]);
        else if (served[i]) greedyServed++;
      });
    }
    // After the first second (no history yet), the polite connection is always served, and so is every newcomer.
    expect(politeServed.slice(4)).toEqual(Array(politeServed.length - 4).fill(true));
    expect(newcomerServed).toEqual(Array(12).fill(true));
    // The greedy ones were served past the limit only while nobody had a history (the first turns).
    expect(greedyServed).toBeLessThanOrEqual(8); // the first turn's allowance: a quarter of 32
  });

  it('never serves more past the limit in one turn than its allowance (a quarter of the limit), even to newcomers only', () => {
    expect(turn(new FairRefusal({ now: () => 0 }), 9, [{}, {}]).filter(Boolean)).toHaveLength(0); // below a limit of 10: none
    const policy = new FairRefusal({ now: () => 0 });
    const served = turn(policy, 40, Array.from({ length: 50 }, () => ({})));
    expect(served.filter(Boolean)).toHaveLength(10); // 25% of 40
    expect(served.slice(0, 10)).toEqual(Array(10).fill(true));
    // The next turn (positions start again) has its own allowance.
    expect(turn(policy, 40, Array.from({ length: 12 }, () => ({}))).filter(Boolean)).toHaveLength(10);
    expect(policy.admitted).toBe(20);
    // However high the limit has grown, no more than 16 a turn.
    expect(turn(new FairRefusal({ now: () => 0 }), 1024, Array.from({ length: 40 }, () => ({}))).filter(Boolean)).toHaveLength(16);
  });

  it('forgets a connection\'s history after two quiet windows', () => {
    let now = 0;
    const policy = new FairRefusal({ now: () => now });
    const busy = {};
    const others = Array.from({ length: 10 }, () => ({}));
    for (let i = 0; i < 20; i++) turn(policy, 20, [busy, busy, busy, busy, busy, ...others]); // busy asks 5× the others
    expect(policy.admit(busy, 21, 20, true)).toBe(false);
    now = 2500;
    expect(policy.admit(busy, 21, 20, true)).toBe(true);
  });
});

/**
 * Turns of 100 greedy connections read in the same order every turn (as the kernel hands ready
 * sockets over), past the limit from a place that moves between 30 and 70 with the turn's length,
 * and a polite connection read late every 25th turn: how many of its searches were served.
 */
function politeServedWithMovingCut(counted: 'every-search' | 'past-limit'): { polite: number; of: number } {
  let now = 0;
  const policy = new FairRefusal({ counted, now: () => now });
  const greedy = Array.from({ length: 100 }, () => ({}));
  const polite = {};
  const served: boolean[] = [];
  for (let t = 0; t < 300; t++, now += 10) {
    const batch = [...greedy];
    if (t % 25 === 0) batch.splice(90, 0, polite);
    const cut = 30 + ((t * 7) % 41);
    batch.forEach((connection, i) => {
      const admitted = policy.admit(connection, i + 1, 32, i + 1 > cut);
      if (connection === polite && t >= 100) served.push(admitted);
    });
  }
  return { polite: served.filter(Boolean).length, of: served.length };
}

describe('what a connection asks', () => {
  it('is every search it sent while behind: greedy connections read early are not light, and the polite one is served (chapter 20)', () => {
    const { polite, of } = politeServedWithMovingCut('every-search');
    expect(of).toBe(8);
    expect(polite).toBe(8);
  });

  it('was its searches past the limit only (chapters 14–19): greedy connections seldom past it look light and spend the allowance first', () => {
    const { polite, of } = politeServedWithMovingCut('past-limit');
    expect(of).toBe(8);
    expect(polite).toBeLessThan(of);
  });

  it('is not counted while the search is under the limit with past-limit counting: nothing per search', () => {
    const policy = new FairRefusal({ counted: 'past-limit', now: () => 0 });
    const busy = {};
    for (let i = 0; i < 50; i++) expect(policy.admit(busy, i + 1, 64, false)).toBe(true);
    // Nothing was counted for it: its first search past the limit is that of a connection that asked nothing.
    expect(policy.admit(busy, 65, 64, true)).toBe(true);
  });
});

describe('UNFAIR_REFUSAL', () => {
  it('serves nothing past the limit', () => {
    expect(UNFAIR_REFUSAL.admit({}, 33, 32, true)).toBe(false);
    expect(UNFAIR_REFUSAL.admit({}, 3, 32, false)).toBe(true);
  });
});
