import { describe, expect, it } from 'vitest';
import { RequestTally } from './request-tally.ts';

describe('RequestTally', () => {
  it('counts by route and status, each observation in the first bucket whose bound it does not exceed', () => {
    const tally = new RequestTally();
    const search = tally.route('/search');
    expect(tally.route('/search')).toBe(search);
    search.status(200).observe(0.0001); // on a bound: that bucket (le is inclusive)
    search.status(200).observe(0.0003);
    search.status(200).observe(99); // above every bound: only in the count (+Inf)
    search.status(400).observe(0);
    const ok = search.status(200);
    expect(ok.count).toBe(3);
    expect(ok.sumSeconds).toBeCloseTo(99.0004);
    expect(Array.from(ok.buckets.slice(0, 3))).toEqual([1, 0, 1]);
    expect([...tally.series()].map(({ route, tally: t }) => [route, t.status, t.count])).toEqual([['/search', 200, 3], ['/search', 400, 1]]);
  });
});
