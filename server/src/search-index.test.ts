import { describe, expect, it } from 'vitest';
import { mulberry32 as seeded } from '../../simulator/prng.ts';
import { catalogEntry, type CatalogEntry } from './catalog.ts';
import { SearchIndex, compareEntries, lowerBound, packCatalogue, upperBound } from './search-index.ts';
import type { SearchRange } from './search.ts';

const HOUR = 3_600_000;

function randomEntries(random: () => number, count: number): CatalogEntry[] {
  return Array.from({ length: count }, (_, i) => {
    // Mostly short events, some lasting weeks, many sharing a start (ties are ordered by id).
    const startsAt = Math.floor(random() * 200) * HOUR;
    const endsAt = startsAt + (random() < 0.1 ? Math.floor(random() * 500) : Math.floor(random() * 4)) * HOUR;
    const id = `id-${Math.floor(random() * 1e9).toString(36)}-${i}`;
    return catalogEntry({ basePlanId: id, planId: id, title: id, startsAt, endsAt, minPrice: null, maxPrice: null }, id);
  });
}

/** The definition: a linear filter and a sort. */
function naive(entries: CatalogEntry[], { startsAt, endsAt }: SearchRange): string[] {
  return entries
    .filter((e) => (startsAt === null || e.startsAt >= startsAt) && (endsAt === null || e.endsAt <= endsAt))
    .sort(compareEntries)
    .map((e) => e.id);
}

const indexOf = (entries: CatalogEntry[]) => new SearchIndex(packCatalogue(entries));
const ids = (index: SearchIndex, range: SearchRange): string[] =>
  (JSON.parse(index.answer(range).toString()) as { data: { events: { id: string }[] } }).data.events.map((e) => e.id);

describe('binary search bounds', () => {
  const sorted = Float64Array.from([1, 3, 3, 3, 7]);
  it('lowerBound is the first >= value', () => {
    expect([0, 1, 2, 3, 4, 7, 8].map((v) => lowerBound(sorted, v))).toEqual([0, 0, 1, 1, 4, 4, 5]);
  });
  it('upperBound is the first > value', () => {
    expect([0, 1, 2, 3, 4, 7, 8].map((v) => upperBound(sorted, v))).toEqual([0, 1, 1, 4, 4, 5, 5]);
  });
  it('handles the empty array', () => {
    expect(lowerBound(new Float64Array(0), 5)).toBe(0);
    expect(upperBound(new Float64Array(0), 5)).toBe(0);
  });
});

describe('SearchIndex', () => {
  it('answers exactly what the linear filter answers, in the same order', () => {
    const random = seeded(20260601);
    for (let round = 0; round < 20; round++) {
      const entries = randomEntries(random, 1 + Math.floor(random() * 400));
      const index = indexOf(entries);
      for (let q = 0; q < 50; q++) {
        const a = Math.floor(random() * 220 - 10) * HOUR;
        const b = a + Math.floor(random() * 300) * HOUR;
        const range: SearchRange = { startsAt: random() < 0.1 ? null : a, endsAt: random() < 0.1 ? null : b };
        expect(ids(index, range)).toEqual(naive(entries, range));
      }
    }
  });

  it('treats both bounds as inclusive', () => {
    const e = (id: string, start: number, end: number): CatalogEntry => catalogEntry({ basePlanId: id, planId: id, title: id, startsAt: start, endsAt: end, minPrice: null, maxPrice: null }, id);
    const index = indexOf([e('a', 10, 20), e('b', 10, 10), e('c', 20, 30), e('d', 5, 100)]);
    expect(ids(index, { startsAt: 10, endsAt: 20 })).toEqual(['a', 'b']);
    expect(ids(index, { startsAt: 20, endsAt: 20 })).toEqual([]);
    expect(ids(index, { startsAt: 21, endsAt: 29 })).toEqual([]);
    expect(ids(index, { startsAt: null, endsAt: 100 })).toEqual(['d', 'a', 'b', 'c']);
  });

  it('leaves its input untouched and answers an empty list when empty', () => {
    const entries = randomEntries(seeded(1), 30);
    const copy = [...entries];
    packCatalogue(entries);
    expect(entries).toEqual(copy);
    expect(indexOf([]).answer({ startsAt: null, endsAt: null }).toString()).toBe('{"data":{"events":[]},"error":null}');
  });
});
