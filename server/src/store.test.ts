import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { emptyCatalogState, type CatalogState } from './catalog.ts';
import { silentLogger } from './log.ts';
import { decodeStore, encodeStore, FileStore } from './store.ts';

const dir = () => mkdtempSync(path.join(os.tmpdir(), 'store-test-'));
const state: CatalogState = {
  plans: new Map([['1:2', { basePlanId: '1', planId: '2', title: 'T', startsAt: 1, endsAt: 2, minPrice: null, maxPrice: 3.5 }]]),
  onlineBasePlanIds: new Set(['1']),
};

describe('FileStore', () => {
  it('reports a missing store', async () => {
    expect(await new FileStore(dir(), silentLogger).load()).toEqual({ kind: 'missing' });
  });

  it('round-trips the state and leaves no temp files', async () => {
    const d = dir();
    const store = new FileStore(d, silentLogger);
    await store.save(emptyCatalogState());
    await store.save(state);
    expect(readdirSync(d)).toEqual(['store.json']);
    expect(await new FileStore(d, silentLogger).load()).toEqual({ kind: 'loaded', state, savedAt: expect.any(Number) });
  });

  it('removes temp files a crash left behind', async () => {
    const d = dir();
    writeFileSync(path.join(d, 'store.json.tmp-123-4'), '{"half');
    await new FileStore(d, silentLogger).load();
    expect(readdirSync(d)).toEqual([]);
  });

  it('sets a corrupt file aside instead of emptying it', async () => {
    const d = dir();
    writeFileSync(path.join(d, 'store.json'), 'not json');
    const result = await new FileStore(d, silentLogger).load();
    expect(result.kind).toBe('corrupt');
    const names = readdirSync(d);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^store\.json\.corrupt-\d{4}-\d\d-\d\dT/);
    expect(readFileSync(path.join(d, names[0]), 'utf8')).toBe('not json');
  });
});

describe('decodeStore', () => {
  it('accepts what encodeStore writes', () => {
    expect(decodeStore(encodeStore(state))).toEqual(state);
  });
  it.each([
    ['another JSON file', '{"hello":1}'],
    ['a future version', '{"format":"event-search-store","version":2,"onlineBasePlanIds":[],"plans":[]}'],
    ['a bad plan', '{"format":"event-search-store","version":1,"onlineBasePlanIds":[],"plans":[{"basePlanId":1}]}'],
  ])('rejects %s', (_case, text) => {
    expect(() => decodeStore(text)).toThrow();
  });
});
