import { describe, expect, it } from 'vitest';
import { interleavedOrder, rotated } from './schedule.ts';

describe('interleavedOrder', () => {
  it('runs every subject once per round, the order rotated each round', () => {
    const order = interleavedOrder(['ref', 'v1', 'v2'], 4).map((r) => `${r.round}:${r.subject}`);
    expect(order).toEqual([
      '0:ref', '0:v1', '0:v2',
      '1:v1', '1:v2', '1:ref',
      '2:v2', '2:ref', '2:v1',
      '3:ref', '3:v1', '3:v2',
    ]);
  });
  it('puts each subject in each position equally often over a full cycle', () => {
    const subjects = ['a', 'b', 'c'];
    const order = interleavedOrder(subjects, 3);
    for (const s of subjects) {
      const positions = order.filter((r) => r.subject === s).map((r) => order.indexOf(r) % 3).sort();
      expect(positions).toEqual([0, 1, 2]);
    }
  });
  it('handles edge cases', () => {
    expect(interleavedOrder([], 3)).toEqual([]);
    expect(rotated([1, 2, 3], -1)).toEqual([3, 1, 2]);
  });
});
