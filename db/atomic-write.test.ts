import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.ts';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it.each([false, true])('replaces the file and leaves no temporary beside it (durable: %s)', (durable) => {
    dir = mkdtempSync(join(tmpdir(), 'atomic-write-'));
    const file = join(dir, 'out.json');
    writeFileSync(file, 'old');
    writeFileAtomic(file, '{"new":true}', { durable });
    writeFileAtomic(join(dir, 'bytes.bin'), new Uint8Array([1, 2, 3]), { durable });
    expect(readFileSync(file, 'utf8')).toBe('{"new":true}');
    expect([...readFileSync(join(dir, 'bytes.bin'))]).toEqual([1, 2, 3]);
    expect(readdirSync(dir).sort()).toEqual(['bytes.bin', 'out.json']);
  });

  it('keeps what was there and removes the temporary when the rename fails', () => {
    dir = mkdtempSync(join(tmpdir(), 'atomic-write-'));
    // A non-empty directory cannot be replaced by a file: the rename fails.
    const target = join(dir, 'sub');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'kept');
    expect(() => writeFileAtomic(target, 'y')).toThrow();
    expect(readdirSync(dir)).toEqual(['sub']);
    expect(readFileSync(join(target, 'keep'), 'utf8')).toBe('kept');
  });
});
