import { describe, expect, it } from 'vitest';
import { pairedRatio, ratioOfMedians, referenceAt, sliceRatios, type Slice } from './paired-ratio.ts';
import { interleavedOrder } from '../session/schedule.ts';
import { seededRandom } from './descriptive.ts';

const REFERENCE_RPS = 40_000;
const CHAPTER_RPS = 2_000; // the true ratio: 0.05

/** A session of `rounds` interleaved rounds (reference, chapter, chapter, reference, …), each slice's throughput times the machine's speed at its position. */
function session(rounds: number, speedAt: (position: number) => number, disturb: (subject: string, position: number) => number = () => 1): { chapter: Slice[]; reference: Slice[] } {
  const slices = interleavedOrder(['reference', 'chapter'], rounds).map(({ subject }, position) => ({
    subject,
    position,
    value: (subject === 'reference' ? REFERENCE_RPS : CHAPTER_RPS) * speedAt(position) * disturb(subject, position),
  }));
  return {
    chapter: slices.filter((s) => s.subject === 'chapter').map(({ position, value }) => ({ position, value })),
    reference: slices.filter((s) => s.subject === 'reference').map(({ position, value }) => ({ position, value })),
  };
}

/** The machine's speed: a seeded random walk, up to ±15% from one reference slice to the next, changing steadily in between. */
function wanderingSpeed(rounds: number, seed: number): (position: number) => number {
  const random = seededRandom(seed);
  let speed = 1;
  const atReferenceSlices = interleavedOrder(['reference', 'chapter'], rounds)
    .map(({ subject }, position) => ({ subject, position }))
    .filter((s) => s.subject === 'reference')
    .map(({ position }) => ({ position, value: (speed *= 1 + 0.3 * (random() - 0.5)) }));
  return (position) => referenceAt(atReferenceSlices, position);
}

describe('referenceAt', () => {
  const reference = [{ position: 0, value: 100 }, { position: 4, value: 400 }];
  it('interpolates log-linearly between the slices before and after, and takes the nearer one at the ends', () => {
    expect(referenceAt(reference, 2)).toBeCloseTo(200, 9); // geometric mean of 100 and 400
    expect(referenceAt(reference, 1)).toBeCloseTo(100 * Math.SQRT2, 9);
    expect(referenceAt(reference, 4)).toBe(400);
    expect(referenceAt(reference, -3)).toBe(100);
    expect(referenceAt(reference, 9)).toBe(400);
  });
  it('refuses an empty reference', () => {
    expect(() => referenceAt([], 1)).toThrow(/no reference/);
  });
});

describe('pairedRatio', () => {
  it('cancels a drift common to both servers that the ratio of medians carries', () => {
    const { chapter, reference } = session(12, wanderingSpeed(12, 5));
    const paired = pairedRatio(chapter, reference)!;
    expect(paired.ratio).toBeCloseTo(0.05, 12);
    expect(paired.low).toBeCloseTo(0.05, 12);
    expect(paired.high).toBeCloseTo(0.05, 12);
    expect(paired.cv).toBeCloseTo(0, 12);
    expect(paired.slices).toBe(12);
    // The same slices summarised as a ratio of medians: off by almost 2%.
    expect(ratioOfMedians(chapter, reference) / 0.05 - 1).toBeGreaterThan(0.015);
  });

  it('cancels a steady exponential slow-down exactly, whatever the slices order', () => {
    const { chapter, reference } = session(8, (position) => 0.97 ** position);
    expect(sliceRatios(chapter, reference).every((r) => Math.abs(r - 0.05) < 1e-12)).toBe(true);
    expect(sliceRatios([...chapter].reverse(), reference)).toEqual(sliceRatios(chapter, reference));
  });

  it('keeps its median when a burst of a neighbour slows only a few reference slices', () => {
    // Positions 3 and 4 are two reference slices back to back (…, chapter, reference, reference, chapter, …).
    const { chapter, reference } = session(12, () => 1, (subject, position) => (subject === 'reference' && (position === 3 || position === 4) ? 0.7 : 1));
    const ratios = sliceRatios(chapter, reference);
    expect(ratios.filter((r) => Math.abs(r - 0.05) > 1e-12)).toHaveLength(4); // the chapter slices between the burst and the reference slices before and after it
    expect(pairedRatio(chapter, reference)!.ratio).toBeCloseTo(0.05, 12);
  });

  it('gives no estimate without reference slices, and refuses a slice without a positive throughput', () => {
    expect(pairedRatio([{ position: 1, value: 10 }], [])).toBeNull();
    expect(() => pairedRatio([{ position: 1, value: 0 }], [{ position: 0, value: 10 }])).toThrow(/positive value/);
    expect(() => pairedRatio([{ position: NaN, value: 1 }], [{ position: 0, value: 10 }])).toThrow(/finite position/);
  });
});

describe('pairedRatio by round', () => {
  const byRound = (values: number[]) => values.map((value, round) => ({ position: round, value }));
  it('pairs each slice with the reference slice of the same position, exactly', () => {
    const result = pairedRatio(byRound([50, 60, 70, 80, 90, 100]), byRound([100, 100, 100, 100, 100, 100]))!;
    expect([result.ratio, result.low, result.high]).toEqual([0.75, 0.5, 1]);
    // Pairing matters: a machine that slows down in a round slows both subjects.
    const drifting = pairedRatio(byRound([100, 50, 200, 100, 50, 200]), byRound([200, 100, 400, 200, 100, 400]))!;
    expect([drifting.ratio, drifting.low, drifting.high, drifting.cv]).toEqual([0.5, 0.5, 0.5, 0]);
  });
});
