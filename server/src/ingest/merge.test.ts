import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { emptyCatalogState, searchableEntries, type CatalogState } from '../catalog.ts';
import { mergeFeed } from './merge.ts';
import { parseFeed, type FeedPlan } from './parse-feed.ts';

const answer = (n: number) => {
  const feed = parseFeed(readFileSync(new URL(`../../../simulator/fixtures/planlist-${n}.xml`, import.meta.url), 'utf8'));
  if (!feed.ok) throw new Error(feed.error);
  return feed;
};
const plan = (basePlanId: string, planId: string, endsAt = 2): FeedPlan => ({ basePlanId, planId, title: 't', startsAt: 1, endsAt, minPrice: null, maxPrice: null });

describe('mergeFeed', () => {
  it('after answers 1, 2, 3: keeps 322, updates 291, never lists 444', () => {
    let state: CatalogState = emptyCatalogState();
    for (const n of [1, 2, 3]) state = mergeFeed(state, answer(n)).state;
    const byBase = Object.fromEntries(searchableEntries(state).map((e) => [e.basePlanId, e]));
    expect(Object.keys(byBase).sort()).toEqual(['1591', '291', '322']);
    expect(byBase['291'].endsAt).toBe(Date.UTC(2021, 5, 30, 21, 30));
    expect(byBase['322'].endsAt).toBe(Date.UTC(2021, 1, 10, 21, 30));
  });

  it('reports no change for an identical or empty answer, and does not touch its input', () => {
    const first = mergeFeed(emptyCatalogState(), answer(1));
    expect(first).toMatchObject({ changed: true, added: 3, updated: 0 });
    const snapshot = [...first.state.plans.entries()];
    const again = mergeFeed(first.state, answer(1));
    expect(again).toMatchObject({ changed: false, added: 0, updated: 0 });
    expect(again.state).toBe(first.state);
    expect(mergeFeed(first.state, { basePlans: [], plans: [] }).changed).toBe(false);
    mergeFeed(first.state, answer(3));
    expect([...first.state.plans.entries()]).toEqual(snapshot);
  });

  it('lists plans of a base plan seen online once, even after it goes offline', () => {
    let state = mergeFeed(emptyCatalogState(), { basePlans: [{ basePlanId: 'b', online: true }], plans: [plan('b', '1')] }).state;
    state = mergeFeed(state, { basePlans: [{ basePlanId: 'b', online: false }], plans: [plan('b', '1', 5), plan('b', '2')] }).state;
    expect(searchableEntries(state).map((e) => [e.planId, e.endsAt])).toEqual([['1', 5], ['2', 2]]);
    const offlineOnly = mergeFeed(state, { basePlans: [{ basePlanId: 'c', online: false }], plans: [plan('c', '1')] }).state;
    expect(offlineOnly.plans.size).toBe(3);
    expect(searchableEntries(offlineOnly)).toHaveLength(2);
  });
});
