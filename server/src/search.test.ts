import { describe, expect, it } from 'vitest';
import { catalogEntry, type CatalogEntry } from './catalog.ts';
import { SearchIndex, packCatalogue } from './search-index.ts';
import { parseSearchQuery, rangeKey, type SearchRange } from './search.ts';

const at = (iso: string) => Date.parse(`${iso}Z`);
const entry = (id: string, start: string, end: string): CatalogEntry =>
  catalogEntry({ basePlanId: id, planId: id, title: `t${id}`, startsAt: at(start), endsAt: at(end), minPrice: 1, maxPrice: 2 }, id);
/** The /search answer's events, through the serialised-once path. */
const searchEvents = (index: SearchIndex, range: SearchRange) => JSON.parse(index.answer(range).toString()).data.events as { id: string }[];

describe('parseSearchQuery', () => {
  it('leaves missing bounds open', () => {
    expect(parseSearchQuery('')).toEqual({ ok: true, range: { startsAt: null, endsAt: null } });
    expect(parseSearchQuery('ends_at=2021-01-01&other=1')).toEqual({ ok: true, range: { startsAt: null, endsAt: at('2021-01-01T00:00:00') } });
  });
  it('accepts equal bounds, rejects crossed ones', () => {
    expect(parseSearchQuery('starts_at=2021-01-01&ends_at=2021-01-01T00:00:00Z').ok).toBe(true);
    expect(parseSearchQuery('starts_at=2021-01-02&ends_at=2021-01-01')).toEqual({ ok: false, message: 'starts_at is after ends_at' });
  });
  it('rejects repeated parameters, naming them', () => {
    const res = parseSearchQuery('ends_at=2021-01-01&ends_at=2021-01-01');
    expect(res.ok).toBe(false);
    expect(!res.ok && res.message).toMatch(/^ends_at: given 2 times/);
  });
  it('tells impossible from unparseable', () => {
    const impossible = parseSearchQuery('starts_at=2021-02-30');
    const garbage = parseSearchQuery('starts_at=soon');
    expect(!impossible.ok && impossible.message).toContain('not a real date-time');
    expect(!garbage.ok && garbage.message).toContain('not an ISO 8601 date-time');
  });
  it.each(['starts_at[]=2021-01-01', 'starts_at[a]=2021-01-01', 'ends_at[0]=2021-01-01&starts_at=2021-01-01'])('rejects array syntax for a bound: %s', (query) => {
    const res = parseSearchQuery(query);
    expect(res.ok).toBe(false);
    expect(!res.ok && res.message).toMatch(/^(starts_at|ends_at): "(starts_at|ends_at)\[\w*\]" is not a parameter/);
  });
  it('gives every spelling of the same bounds one cache key', () => {
    const key = (q: string) => {
      const parsed = parseSearchQuery(q);
      return parsed.ok ? rangeKey(parsed.range) : parsed.message;
    };
    expect(key('starts_at=2021-02-01')).toBe(key('starts_at=2021-02-01T00:00:00Z&unrelated=1'));
    expect(key('starts_at=2021-02-01T02:00:00%2B02:00')).toBe(key('starts_at=2021-02-01T00:00:00'));
    expect(key('starts_at=2021-02-01')).not.toBe(key('ends_at=2021-02-01'));
  });
  it('never echoes kilobytes of input', () => {
    const res = parseSearchQuery(`starts_at=${'9'.repeat(5000)}`);
    expect(!res.ok && res.message.length).toBeLessThan(300);
    expect(!res.ok && res.message).toContain('(5000 characters)');
  });
});

describe('searchEvents', () => {
  const raw = [
    entry('b', '2021-01-02T10:00:00', '2021-01-02T11:00:00'),
    entry('a', '2021-01-02T10:00:00', '2021-01-02T12:00:00'),
    entry('c', '2021-01-01T10:00:00', '2021-01-03T10:00:00'),
  ];
  const entries = new SearchIndex(packCatalogue(raw));
  it('orders by start, then id', () => {
    expect(searchEvents(entries, { startsAt: null, endsAt: null }).map((e) => e.id)).toEqual(['c', 'a', 'b']);
  });
  it('uses inclusive containment, not overlap', () => {
    const range = { startsAt: at('2021-01-02T00:00:00'), endsAt: at('2021-01-02T12:00:00') };
    expect(searchEvents(entries, range).map((e) => e.id)).toEqual(['a', 'b']);
    expect(searchEvents(entries, { startsAt: null, endsAt: at('2021-01-02T11:59:59') }).map((e) => e.id)).toEqual(['b']);
  });
  it('renders dates, times and prices of the spec', () => {
    expect(searchEvents(new SearchIndex(packCatalogue([entry('x', '2021-06-30T21:00:00', '2021-07-01T00:30:00')])), { startsAt: null, endsAt: null })).toEqual([
      { id: 'x', title: 'tx', start_date: '2021-06-30', start_time: '21:00:00', end_date: '2021-07-01', end_time: '00:30:00', min_price: 1, max_price: 2 },
    ]);
  });
  it('does not modify its input', () => {
    const copy = [...raw];
    searchEvents(new SearchIndex(packCatalogue(raw)), { startsAt: null, endsAt: null });
    expect(raw).toEqual(copy);
  });
});
