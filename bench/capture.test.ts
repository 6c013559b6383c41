import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { provenanceOf, storeCapture } from './capture.ts';
import { BenchStore } from './store.ts';

let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

const table = (bytes: number) => `v14 (50a6d40d381f): hot answer ${bytes} bytes (identity)\n| coding | level | bytes |`;

describe('storeCapture', () => {
  it('keeps a command\'s output in demo_outputs with where it was printed; a new capture of the name replaces it under the same number', async () => {
    dir = mkdtempSync(join(tmpdir(), 'capture-'));
    const db = join(dir, 'bench.sqlite');
    const capture = { name: 'compression-levels v14', title: 'Every level', command: 'npm run compression-levels -- --ref v14', output: table(15540) };
    const first = await storeCapture(db, capture, 'Printed on EPYC · 2 cores.', '2026-12-07T03:40:00.000Z', () => {});
    const other = await storeCapture(db, { ...capture, name: 'other' }, '', '2026-12-07T03:41:00.000Z', () => {});
    const again = await storeCapture(db, { ...capture, output: table(15541) }, 'Printed on Xeon · 2 cores.', '2026-12-07T03:42:00.000Z', () => {});
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect(existsSync(`${db}.lock`)).toBe(false);
    const rows = (await BenchStore.open(db)).rows('SELECT demo_number, name, description, command, output, captured_at FROM demo_outputs ORDER BY demo_number');
    expect(rows).toEqual([
      { demo_number: first, name: 'compression-levels v14', description: 'Printed on Xeon · 2 cores.', command: capture.command, output: table(15541), captured_at: '2026-12-07T03:42:00.000Z' },
      { demo_number: other, name: 'other', description: '', command: capture.command, output: table(15540), captured_at: '2026-12-07T03:41:00.000Z' },
    ]);
  });
});

describe('provenanceOf', () => {
  it('names the machine as captions do, the harness commit (and uncommitted changes), and the minute in UTC', () => {
    expect(provenanceOf({ cpu_model: 'AMD EPYC', cores: 2 }, { commit: '8d552e5c0ffee1234', dirty: false }, '2026-12-07T03:40:12.345Z'))
      .toBe('Printed on AMD EPYC · 2 cores, harness 8d552e5c0ffe, 2026-12-07 03:40 UTC.');
    expect(provenanceOf({ cpu_model: 'AMD EPYC', cores: 2 }, { commit: '8d552e5c0ffee1234', dirty: true }, '2026-12-07T03:40:12.345Z'))
      .toContain('harness 8d552e5c0ffe with uncommitted changes,');
  });
});
