import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { levelTable } from './levels.ts';

describe('levelTable', () => {
  it('compresses the body at gzip 1-9 and brotli 1-11, each row the real size and its ratio to identity', () => {
    const body = Buffer.from(JSON.stringify({ data: { events: Array.from({ length: 80 }, (_, i) => ({ id: i, title: 'Los Morancos', starts_at: '2021-06-30T21:00:00Z' })) }, error: null }));
    const rows = levelTable(body, 1, 1);
    expect(rows.map((r) => `${r.coding}${r.level}`)).toEqual([...Array.from({ length: 9 }, (_, i) => `gzip${i + 1}`), ...Array.from({ length: 11 }, (_, i) => `br${i + 1}`)]);
    const gzip6 = rows.find((r) => r.coding === 'gzip' && r.level === 6)!;
    expect(gzip6.bytes).toBe(gzipSync(body, { level: 6 }).length);
    const br11 = rows.find((r) => r.coding === 'br' && r.level === 11)!;
    expect(br11.bytes).toBe(brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }).length);
    for (const row of rows) {
      expect(row.ratio).toBeCloseTo(body.length / row.bytes, 10);
      expect(row.cpuMs).toBeGreaterThanOrEqual(0);
    }
  });
});
