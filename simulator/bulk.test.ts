import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { parseFeed, type FeedParseResult } from '../server/src/ingest/parse-feed.ts';
import { BULK_START_YEAR, bulkDocuments, defaultBulkFeedOptions } from './bulk.ts';
import { defaultGeneratedFeedOptions, generatedAnswer } from './feed.ts';
import { startSimulator } from './server.ts';

const feed = { ...defaultGeneratedFeedOptions, seed: 42, basePlans: 60, plansPerBase: 4, years: 3 };
const small = { targetBytes: 300_000, variants: 2 };
const BULK_FROM = Date.UTC(BULK_START_YEAR, 0, 1);

function parsed(xml: Buffer | string): Extract<FeedParseResult, { ok: true }> {
  const result = parseFeed(xml.toString());
  if (!result.ok) throw new Error(result.error);
  return result;
}

const planKeys = (result: Extract<FeedParseResult, { ok: true }>, keep: (startsAt: number) => boolean) =>
  result.plans.filter((p) => keep(p.startsAt)).map((p) => JSON.stringify(p));

describe('bulk feed', () => {
  it('reaches the default 15 MB (under the chapters\' 16 MiB body cap) and parses', () => {
    const [doc] = bulkDocuments(feed, { ...defaultBulkFeedOptions, variants: 1 });
    expect(doc.length).toBeGreaterThanOrEqual(15_000_000);
    expect(doc.length).toBeLessThan(16 * 1024 * 1024);
    expect(parsed(doc).plans.length).toBeGreaterThan(25_000); // ~500 bytes a plan
  }, 120_000); // parsing 15 MB takes seconds

  it('is the same bytes for the same seed, and other bytes for another seed', () => {
    const a = bulkDocuments(feed, small);
    const b = bulkDocuments(feed, small);
    expect(a.map((d, i) => d.equals(b[i]))).toEqual([true, true]);
    expect(bulkDocuments({ ...feed, seed: 43 }, small)[0].equals(a[0])).toBe(false);
  });

  it('keeps every event of the generated first answer and adds only events from the bulk year on', () => {
    const [doc] = bulkDocuments(feed, small);
    const big = parsed(doc);
    const plain = parsed(generatedAnswer(feed, 0));
    expect(planKeys(big, (t) => t < BULK_FROM)).toEqual(planKeys(plain, () => true));
    expect(planKeys(big, (t) => t >= BULK_FROM).length).toBeGreaterThan(planKeys(plain, () => true).length);
  });

  it('changes between variants in the bulk part only', () => {
    const [v0, v1] = bulkDocuments(feed, small).map(parsed);
    const early = (t: number) => t < BULK_FROM;
    expect(planKeys(v1, early)).toEqual(planKeys(v0, early));
    expect(planKeys(v1, (t) => !early(t))).not.toEqual(planKeys(v0, (t) => !early(t)));
    expect(v1.plans.length).toBe(v0.plans.length);
  });

  it('is served in turn by the simulator, variant k mod n', async () => {
    const sim = await startSimulator({ mode: 'generated', ...feed, bulk: small });
    try {
      const docs = bulkDocuments(feed, small);
      const bodies = [];
      for (let k = 0; k < 3; k++) bodies.push(Buffer.from(await (await fetch(`${sim.url}/api/events`)).arrayBuffer()));
      expect(bodies.map((b, k) => b.equals(docs[k % 2]))).toEqual([true, true, true]);
      expect(sim.answers()).toBe(3);
    } finally {
      await sim.close();
    }
  });

  it('refuses a bulk feed outside the generated mode and nonsense sizes', async () => {
    await expect(startSimulator({ mode: 'samples', bulk: small })).rejects.toThrow(/needs mode "generated"/);
    expect(() => bulkDocuments(feed, { targetBytes: 0, variants: 2 })).toThrow(/targetBytes/);
    expect(() => bulkDocuments(feed, { targetBytes: 1000, variants: 0 })).toThrow(/variants/);
  });
});

describe('simulator CLI --bulk-bytes', () => {
  const TSX = new URL('../node_modules/.bin/tsx', import.meta.url).pathname;
  const CLI = new URL('./cli.ts', import.meta.url).pathname;

  it('serves the bulk documents', async () => {
    const child = spawn(TSX, [CLI, '--mode', 'generated', '--seed', '42', '--base-plans', '60', '--plans-per-base', '4', '--bulk-bytes', '300000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [line] = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next().then((r) => [r.value as string]);
      const { url } = JSON.parse(line) as { url: string };
      const body = Buffer.from(await (await fetch(`${url}/api/events`)).arrayBuffer());
      expect(body.equals(bulkDocuments(feed, small)[0])).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('refuses bulk documents outside the generated mode', () => {
    const result = spawnSync(TSX, [CLI, '--bulk-bytes', '1000'], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--bulk-bytes\/--bulk-variants need --mode generated/);
  });
});
