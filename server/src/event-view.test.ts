import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../simulator/prng.ts';
import { catalogEntry, searchableEntries, type StoredPlan } from './catalog.ts';
import { toEventView } from './event-view.ts';
import { SearchIndex, compareEntries, packCatalogue } from './search-index.ts';

const plan = (i: number, random: () => number): StoredPlan => {
  const startsAt = Date.UTC(2021, 0, 1) + Math.floor(random() * 1000) * 3_600_000;
  const price = random() < 0.2 ? null : Math.round(random() * 10_000) / 100;
  return {
    basePlanId: String(i % 37),
    planId: String(i),
    // quotes, backslashes, accents, an emoji, a control character: JSON escaping matters
    title: ['Camela "en" concierto', 'Monólogos & Risas', 'C:\\ruta', 'fiesta 🎉', 'tab\there'][i % 5],
    startsAt,
    endsAt: startsAt + Math.floor(random() * 50) * 3_600_000,
    minPrice: price,
    maxPrice: price === null ? null : price + 5,
  };
};

describe('answers assembled from events serialised once', () => {
  it('is byte-identical to serialising the answer whole, for any range', () => {
    const random = mulberry32(99);
    const entries = Array.from({ length: 300 }, (_, i) => catalogEntry(plan(i, random)));
    const index = new SearchIndex(packCatalogue(entries));
    const naive = (a: number | null, b: number | null) => entries.filter((e) => (a === null || e.startsAt >= a) && (b === null || e.endsAt <= b)).sort(compareEntries);
    for (let q = 0; q < 100; q++) {
      const startsAt = q % 10 === 0 ? null : Date.UTC(2021, 0, 1) + Math.floor(random() * 1000) * 3_600_000;
      const endsAt = q % 7 === 0 ? null : (startsAt ?? Date.UTC(2021, 0, 1)) + Math.floor(random() * 400) * 3_600_000;
      const whole = JSON.stringify({ data: { events: naive(startsAt, endsAt).map((e) => toEventView(e, e.id)) }, error: null });
      expect(index.answer({ startsAt, endsAt }).toString('utf8')).toBe(whole);
    }
  });

  it('serialises each plan version once: unchanged plans keep their entry across catalogue rebuilds', () => {
    const random = mulberry32(5);
    const plans = new Map([['a', plan(1, random)], ['b', plan(2, random)]]);
    const online = new Set(['1', '2']);
    const first = searchableEntries({ plans, onlineBasePlanIds: online });
    const changed = new Map(plans).set('b', { ...plans.get('b')!, title: 'new' });
    const second = searchableEntries({ plans: changed, onlineBasePlanIds: online });
    expect(second[0]).toBe(first[0]);
    expect(second[1]).not.toBe(first[1]);
    expect(JSON.parse(second[1].json.toString()).title).toBe('new');
  });
});
