import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HARNESS_ROOT } from '../provenance.ts';
import { LONGEST_FILES, startRank } from './longest-files.ts';

describe('the test files started first', () => {
  it('are test files of this checkout, each named once', () => {
    for (const file of LONGEST_FILES) {
      expect(file).toMatch(/\.test\.ts$/);
      expect(existsSync(join(HARNESS_ROOT, file)), file).toBe(true);
    }
    expect(new Set(LONGEST_FILES).size).toBe(LONGEST_FILES.length);
  });

  it('come in their order, before every other file', () => {
    expect(LONGEST_FILES.map(startRank)).toEqual(LONGEST_FILES.map((_, i) => i));
    expect(startRank('db/schema.test.ts')).toBe(LONGEST_FILES.length);
  });
});
