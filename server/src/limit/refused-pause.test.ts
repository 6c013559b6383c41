import { describe, expect, it } from 'vitest';
import { UNFAIR_REFUSAL, type RefusalPolicy } from './fair-refusal.ts';
import { pausingRefused } from './refused-pause.ts';

/** A connection that records whether it is read. */
function connection(needDrain = false) {
  return { reading: true, writableNeedDrain: needDrain, pause() { this.reading = false; }, resume() { this.reading = true; } };
}
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('pausingRefused', () => {
  it('leaves a refused connection unread until the next loop turn has run, and reads on one that was served', async () => {
    const policy = pausingRefused(UNFAIR_REFUSAL, 'next-turn');
    const [served, refused] = [connection(), connection()];
    expect(policy.admit(served, 1, 64, false)).toBe(true);
    expect(policy.admit(refused, 65, 64, true)).toBe(false);
    expect([served.reading, refused.reading]).toEqual([true, false]);
    await nextTurn(); // this turn's check phase
    expect(refused.reading).toBe(false);
    await nextTurn(); // the next turn's
    expect(refused.reading).toBe(true);
  });

  it('leaves a connection waiting for its writes to drain to the drain', async () => {
    const policy = pausingRefused(UNFAIR_REFUSAL, 'next-turn');
    const waiting = connection(true);
    policy.admit(waiting, 65, 64, true);
    await nextTurn();
    await nextTurn();
    expect(waiting.reading).toBe(false);
  });

  it('changes nothing with none, and asks the policy it wraps', () => {
    const asked: boolean[] = [];
    const inner: RefusalPolicy = { admit: (_c, _p, _l, past) => (asked.push(past), !past) };
    const refused = connection();
    expect(pausingRefused(inner, 'none')).toBe(inner);
    expect(pausingRefused(inner, 'next-turn').admit(refused, 65, 64, true)).toBe(false);
    expect(asked).toEqual([true]);
  });
});
