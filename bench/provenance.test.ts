import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harnessTreeOf } from './provenance.ts';
import { git } from './testing/tiny-repo.ts';

/** A repository with a harness file and a book page, committed; returns a commit function. */
function repository(): { dir: string; commit: (file: string, text: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'harness-tree-'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'user.name', 'test');
  mkdirSync(join(dir, 'bench'));
  mkdirSync(join(dir, 'book'));
  const commit = (file: string, text: string) => {
    writeFileSync(join(dir, file), text);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', file);
    return git(dir, 'rev-parse', 'HEAD').trim();
  };
  return { dir, commit };
}

describe('harnessTreeOf', () => {
  it('is the same for commits that changed only the book, and changes with a harness file', () => {
    const repo = repository();
    const first = repo.commit('bench/run.ts', 'export const a = 1;\n');
    const bookOnly = repo.commit('book/page.md', '# a page\n');
    const harness = repo.commit('bench/run.ts', 'export const a = 2;\n');
    const tree = harnessTreeOf(first, repo.dir);
    expect(tree).toMatch(/^[0-9a-f]{64}$/);
    expect(harnessTreeOf(bookOnly, repo.dir)).toBe(tree);
    expect(harnessTreeOf(harness, repo.dir)).not.toBe(tree);
  });

  it('is null for a commit git does not know', () => {
    const repo = repository();
    repo.commit('bench/run.ts', 'x\n');
    expect(harnessTreeOf('0'.repeat(40), repo.dir)).toBeNull();
  });
});
