import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFeed } from './parse-feed.ts';

const fixture = (name: string) => readFileSync(new URL(`../../../simulator/fixtures/${name}`, import.meta.url), 'utf8');
const doc = (output: string) => `<?xml version="1.0"?><planList><output>${output}</output></planList>`;
const plan = (attrs: string, zones = '<zone zone_id="1" price="10.00"/>') =>
  doc(`<base_plan base_plan_id="1" sell_mode="online" title="T"><plan ${attrs}>${zones}</plan></base_plan>`);
const valid = 'plan_id="9" plan_start_date="2021-01-01T10:00:00" plan_end_date="2021-01-01T11:00:00"';

describe('parseFeed', () => {
  it('reads sample answer 1: three online plans, plan id 1642 under two base plans, repeated zone ids', () => {
    const feed = parseFeed(fixture('planlist-1.xml'));
    expect(feed.ok).toBe(true);
    if (!feed.ok) return;
    expect(feed.variant).toBe('current');
    expect(feed.basePlans).toEqual([
      { basePlanId: '291', online: true },
      { basePlanId: '322', online: true },
      { basePlanId: '1591', online: true },
    ]);
    expect(feed.plans.map((p) => [p.basePlanId, p.planId, p.minPrice, p.maxPrice])).toEqual([
      ['291', '291', 15, 30],
      ['322', '1642', 55, 55],
      ['1591', '1642', 65, 75],
    ]);
    expect(feed.skipped).toEqual([]);
  });

  it('parses the legacy names the same', () => {
    const legacy = parseFeed(fixture('eventlist-1-legacy-names.xml'));
    const current = parseFeed(fixture('planlist-1.xml'));
    expect(legacy.ok && legacy.variant).toBe('legacy');
    expect({ ...legacy, variant: 'current' }).toEqual(current);
  });

  it('skips the offline plan with an impossible date (444), keeping the rest', () => {
    const feed = parseFeed(fixture('planlist-2.xml'));
    expect(feed.ok).toBe(true);
    if (!feed.ok) return;
    expect(feed.basePlans).toContainEqual({ basePlanId: '444', online: false });
    expect(feed.plans.map((p) => p.basePlanId)).toEqual(['291', '1591']);
    expect(feed.skipped).toEqual([{ basePlanId: '444', planId: '1642', reason: 'invalid start date "2021-09-31T20:00:00"' }]);
  });

  it.each([
    ['missing id', 'plan_start_date="2021-01-01T10:00:00" plan_end_date="2021-01-01T11:00:00"', undefined, 'plan without id'],
    ['missing start', 'plan_id="9" plan_end_date="2021-01-01T11:00:00"', undefined, 'missing start date'],
    ['impossible end', 'plan_id="9" plan_start_date="2021-01-01T10:00:00" plan_end_date="2021-02-30T11:00:00"', undefined, 'invalid end date'],
    ['end before start', 'plan_id="9" plan_start_date="2021-01-01T10:00:00" plan_end_date="2021-01-01T09:00:00"', undefined, 'before start'],
    ['non-numeric price', valid, '<zone zone_id="1" price="free"/>', 'non-numeric price'],
    ['empty price', valid, '<zone zone_id="1" price=""/>', 'non-numeric price'],
  ])('skips a plan with %s', (_case, attrs, zones, reason) => {
    const feed = parseFeed(plan(attrs, zones));
    expect(feed.ok).toBe(true);
    if (!feed.ok) return;
    expect(feed.plans).toEqual([]);
    expect(feed.skipped[0].reason).toContain(reason);
  });

  it('gives null prices to a plan without zones and accepts end == start', () => {
    const feed = parseFeed(plan('plan_id="9" plan_start_date="2021-01-01T10:00:00" plan_end_date="2021-01-01T10:00:00"', ''));
    expect(feed.ok && feed.plans[0]).toMatchObject({ minPrice: null, maxPrice: null });
  });

  it('treats an empty <output/> as nothing new', () => {
    expect(parseFeed('<planList><output/></planList>')).toEqual({ ok: true, variant: 'current', basePlans: [], plans: [], skipped: [] });
  });

  it.each([
    ['truncated', fixture('planlist-1.xml').slice(0, 900)],
    ['empty', ''],
    ['not XML', '<html>503 Service Unavailable'],
    ['unknown root', '<other><output/></other>'],
    ['no output', '<planList></planList>'],
  ])('rejects a %s document as a whole', (_case, xml) => {
    expect(parseFeed(xml).ok).toBe(false);
  });

  it.each([
    ['a DTD with an entity', '<?xml version="1.0"?><!DOCTYPE planList [<!ENTITY t "Injected title">]><planList><output><base_plan base_plan_id="1" sell_mode="online" title="&t;"><plan plan_id="1" plan_start_date="2021-01-01T10:00:00" plan_end_date="2021-01-01T11:00:00"/></base_plan></output></planList>'],
    ['a bare DOCTYPE', '<!DOCTYPE planList SYSTEM "planList.dtd"><planList><output/></planList>'],
  ])('drops a document with %s whole, saying why', (_case, xml) => {
    expect(parseFeed(xml)).toEqual({ ok: false, error: expect.stringContaining('declares a DTD or entities') });
  });
});
