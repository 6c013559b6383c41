import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFeed } from '../server/src/ingest/parse-feed.ts';
import { defaultGeneratedFeedOptions, generatedAnswer, sampleAnswers, toLegacyNames } from './feed.ts';
import { mulberry32 } from './prng.ts';
import { startSimulator } from './server.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const get = async (url: string) => {
  const res = await fetch(`${url}/api/events`);
  return { status: res.status, body: await res.text() };
};

describe('mulberry32', () => {
  it('is deterministic per seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const seqA = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(seqA);
    expect([c(), c(), c()]).not.toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
  });
  it("keeps its stream: the bench's stored bootstrap intervals were drawn from it (seed 0x5eed)", () => {
    const random = mulberry32(0x5eed);
    expect([random(), random(), random()]).toEqual([0.7100320369936526, 0.286336648510769, 0.9519026265479624]);
  });
});

describe('feeds', () => {
  it('renames to the legacy names exactly as the legacy sample', () => {
    expect(toLegacyNames(fixture('planlist-1.xml'))).toBe(fixture('eventlist-1-legacy-names.xml'));
  });

  it('generates the same bytes for the same seed and answer, and different ones otherwise', () => {
    const options = { ...defaultGeneratedFeedOptions, seed: 5 };
    expect(generatedAnswer(options, 3)).toBe(generatedAnswer({ ...options }, 3));
    expect(generatedAnswer(options, 3)).not.toBe(generatedAnswer({ ...options, seed: 6 }, 3));
  });

  it('generates plans that appear, change and disappear, with offline and invalid ones, over several years', () => {
    const options = { ...defaultGeneratedFeedOptions, seed: 11, basePlans: 60 };
    const answers = [0, 1, 2, 3, 4, 5, 6].map((k) => parseFeed(generatedAnswer(options, k)));
    const ok = answers.map((a) => {
      if (!a.ok) throw new Error(a.error);
      return a;
    });
    const keys = ok.map((a) => new Set(a.plans.map((p) => `${p.basePlanId}:${p.planId}`)));
    expect([...keys[3]].some((k) => !keys[0].has(k))).toBe(true); // appeared
    expect([...keys[0]].some((k) => !keys[6].has(k))).toBe(true); // disappeared
    const ends = (a: (typeof ok)[number]) => new Map(a.plans.map((p) => [`${p.basePlanId}:${p.planId}`, p.endsAt]));
    const [e0, e2] = [ends(ok[0]), ends(ok[2])];
    expect([...e0].some(([k, v]) => e2.has(k) && e2.get(k) !== v)).toBe(true); // changed
    expect(ok[0].basePlans.some((b) => !b.online)).toBe(true);
    expect(ok[0].skipped.length).toBeGreaterThan(0);
    const years = new Set(ok[0].plans.map((p) => new Date(p.startsAt).getUTCFullYear()));
    expect(years.size).toBeGreaterThan(1);
  });

  it('grows with every answer when asked to', () => {
    const options = { ...defaultGeneratedFeedOptions, growthPerAnswer: 5 };
    const count = (k: number) => (parseFeed(generatedAnswer(options, k)) as { basePlans: unknown[] }).basePlans.length;
    expect(count(10)).toBeGreaterThan(count(5));
  });

  it('parses the legacy generated feed the same', () => {
    const current = parseFeed(generatedAnswer({ ...defaultGeneratedFeedOptions, seed: 3 }, 1));
    const legacy = parseFeed(generatedAnswer({ ...defaultGeneratedFeedOptions, seed: 3, variant: 'legacy' }, 1));
    expect({ ...legacy, variant: 'current' }).toEqual(current);
  });
});

describe('startSimulator', () => {
  it('serves the three sample answers in sequence, then the last one', async () => {
    const sim = await startSimulator({ mode: 'samples' });
    try {
      const bodies = [];
      for (let i = 0; i < 4; i++) bodies.push((await get(sim.url)).body);
      expect(bodies).toEqual([...sampleAnswers('current'), sampleAnswers('current')[2]]);
      expect(sim.requests()).toBe(4);
      expect(sim.answers()).toBe(4);
      expect((await fetch(`${sim.url}/other`)).status).toBe(404);
    } finally {
      await sim.close();
    }
  });

  it('fails on demand without advancing the feed', async () => {
    const sim = await startSimulator({ mode: 'samples', variant: 'legacy', faults: { failRate: 1 } });
    try {
      expect(await get(sim.url)).toEqual({ status: 503, body: '' });
      sim.setFaults({ truncateRate: 1 });
      const truncated = await get(sim.url);
      expect(truncated.status).toBe(200);
      expect(parseFeed(truncated.body).ok).toBe(false);
      sim.setFaults({ oversizeBytes: 300_000 });
      expect(Buffer.byteLength((await get(sim.url)).body)).toBeGreaterThanOrEqual(300_000);
      sim.setFaults({ latencyMs: [1, 5] });
      expect((await get(sim.url)).body).toBe(fixture('eventlist-1-legacy-names.xml'));
      expect(sim.requests()).toBe(4);
      expect(sim.answers()).toBe(1);
    } finally {
      await sim.close();
    }
  });

  it('hangs on demand, and close() ends hanging requests', async () => {
    const sim = await startSimulator({ faults: { hangRate: 1 } });
    const pending = fetch(`${sim.url}/api/events`).then(
      () => 'answered',
      () => 'closed',
    );
    while (sim.inFlight() === 0) await new Promise((r) => setTimeout(r, 5));
    expect(sim.inFlight()).toBe(1);
    await sim.close();
    expect(await pending).toBe('closed');
  });
});
