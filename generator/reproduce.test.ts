/**
 * The landing page's "Reproduce it" steps, run as a reader would in a fresh clone: a
 * clone without tags (`--no-tags`, as a clone of a repository whose tags were never
 * pushed), node_modules borrowed from this checkout instead of `npm ci` (no network),
 * and every step except the long measurement (`npm run bench` without flags).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../', import.meta.url));

/** The command lines of the first sh block under "## Reproduce it", comments removed. */
function reproduceSteps(markdown: string): string[] {
  const section = markdown.split(/^## /m).find((part) => part.startsWith('Reproduce it'));
  const block = section && /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('book/index.md has no sh block under "## Reproduce it"');
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '');
}

describe('book/index.md: Reproduce it', () => {
  const steps = reproduceSteps(readFileSync(join(REPO, 'book', 'index.md'), 'utf8'));
  const workDir = mkdtempSync(join(tmpdir(), 'book-reproduce-'));
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('restores the tags before checking one out', () => {
    const restore = steps.findIndex((step) => step.includes('--restore-tags'));
    const checkout = steps.findIndex((step) => /^git checkout v\d/.test(step));
    expect(restore).toBeGreaterThanOrEqual(0);
    expect(checkout).toBeGreaterThan(restore);
  });

  it.each([['on a branch', false], ['on a detached commit', true]])('works step by step in a fresh clone without tags, %s', (_where, detached) => {
    // Both cases clone into the same folder, one after the other: the second starts from the pages
    // the first rendered of the real book (15–18 s of CPU here, beside other work). The page cache
    // (generator/page-cache.ts) reuses a page only for the same generator bundle, which names the
    // folder it was built in, and the same sources and data; every build stamps this clone's HEAD.
    const clone = join(workDir, 'clone');
    const pages = join(workDir, 'book-pages');
    if (existsSync(join(clone, '.cache', 'book-pages'))) renameSync(join(clone, '.cache', 'book-pages'), pages);
    rmSync(clone, { recursive: true, force: true });
    execFileSync('git', ['clone', '--quiet', '--no-tags', REPO, clone]);
    if (existsSync(pages)) {
      mkdirSync(join(clone, '.cache'));
      renameSync(pages, join(clone, '.cache', 'book-pages'));
    }
    if (detached) execFileSync('git', ['checkout', '--quiet', '--detach'], { cwd: clone });
    expect(execFileSync('git', ['tag'], { cwd: clone, encoding: 'utf8' })).toBe('');
    symlinkSync(join(REPO, 'node_modules'), join(clone, 'node_modules'));
    const chapters = JSON.parse(readFileSync(join(clone, 'data', 'chapters.json'), 'utf8')) as { chapters: { tag: string; commit: string }[] };
    // Where the reader was: a branch, or a detached commit (a CI checkout of a pull request, a worktree).
    const where = () => ['rev-parse HEAD', 'branch --show-current'].map((args) => execFileSync('git', args.split(' '), { cwd: clone, encoding: 'utf8' }).trim());
    const before = where();

    for (const step of steps) {
      if (step === 'npm run bench') continue; // the measurement itself: long, and not this test's subject
      const command = step.replace(/^npm ci && /, ''); // node_modules is linked instead
      const result = spawnSync('sh', ['-c', command], { cwd: clone, encoding: 'utf8', timeout: 120_000 });
      expect(result.status, `${step}\n${result.stdout}${result.stderr}`).toBe(0);
      const checkedOut = /^git checkout (v\S+)$/.exec(step)?.[1];
      if (checkedOut) {
        const expected = chapters.chapters.find((chapter) => chapter.tag === checkedOut)?.commit;
        expect(execFileSync('git', ['rev-parse', 'HEAD'], { cwd: clone, encoding: 'utf8' }).trim()).toBe(expected);
      }
    }
    expect(where()).toEqual(before);
  }, 240_000);
});
