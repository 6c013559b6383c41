import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExecutable } from './executable.ts';

describe('findExecutable', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'find-exe-'));
    writeFileSync(join(dir, 'runnable'), '#!/bin/sh\n');
    chmodSync(join(dir, 'runnable'), 0o755);
    writeFileSync(join(dir, 'plain-file'), '');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds executables on PATH only', () => {
    expect(findExecutable('runnable', `/nonexistent:${dir}`)).toBe(join(dir, 'runnable'));
    expect(findExecutable('plain-file', dir)).toBeNull();
    expect(findExecutable('wrk')).toBe('/usr/bin/wrk');
    expect(findExecutable('runnable', '')).toBeNull();
  });
});
