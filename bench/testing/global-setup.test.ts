import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('the test run\'s temporary directory (global-setup.ts)', () => {
  it('is one directory of the run, seen by the test workers and the processes they start', () => {
    expect(basename(tmpdir())).toMatch(/^perf-book-tests-/);
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(require("node:os").tmpdir())'], { encoding: 'utf8' });
    expect(child.stdout).toBe(tmpdir());
  });
});
