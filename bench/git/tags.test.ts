import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { readChapterList } from '../../db/chapters.ts';
import { createTinyRepo } from '../testing/tiny-repo.ts';
import { describeTagRestore, restoreChapterTags } from './tags.ts';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function repoWithoutTags() {
  const repo = createTinyRepo([{ tag: 'v1-a' }, { tag: 'v2-b' }]);
  made.push(repo.dir);
  execFileSync('git', ['tag', '-d', 'v1-a', 'v2-b'], { cwd: repo.dir });
  return { ...repo, chapters: readChapterList(`${repo.dir}/data/chapters.json`) };
}
const tagCommit = (dir: string, tag: string) => execFileSync('git', ['rev-parse', `${tag}^{commit}`], { cwd: dir, encoding: 'utf8' }).trim();

describe('restoreChapterTags', () => {
  it('recreates missing tags at the recorded commits, then finds them present', async () => {
    const { dir, commits, chapters } = repoWithoutTags();
    const first = await restoreChapterTags(dir, chapters);
    expect(first).toEqual({ created: ['v1-a', 'v2-b'], present: [], mismatched: [], missingCommits: [] });
    expect(tagCommit(dir, 'v1-a')).toBe(commits['v1-a']);
    expect(tagCommit(dir, 'v2-b')).toBe(commits['v2-b']);
    const second = await restoreChapterTags(dir, chapters);
    expect(second.created).toEqual([]);
    expect(second.present).toEqual(['v1-a', 'v2-b']);
    expect(describeTagRestore(second).ok).toBe(true);
  });

  it('leaves a tag that points elsewhere alone and reports it', async () => {
    const { dir, commits, chapters } = repoWithoutTags();
    execFileSync('git', ['tag', 'v1-a', commits['v2-b']], { cwd: dir });
    const result = await restoreChapterTags(dir, chapters);
    expect(result.mismatched).toEqual([{ tag: 'v1-a', tagged: commits['v2-b'], listed: commits['v1-a'] }]);
    expect(tagCommit(dir, 'v1-a')).toBe(commits['v2-b']);
    const report = describeTagRestore(result);
    expect(report.ok).toBe(false);
    expect(report.text).toContain(`tag v1-a points at ${commits['v2-b'].slice(0, 12)}`);
  });

  it('reports a recorded commit this clone does not have', async () => {
    const { dir, chapters } = repoWithoutTags();
    const ghost = { ...chapters[0], tag: 'v9-ghost', commit: 'f'.repeat(40) };
    const result = await restoreChapterTags(dir, [ghost]);
    expect(result.missingCommits).toEqual(['v9-ghost']);
    expect(describeTagRestore(result)).toMatchObject({ ok: false });
    expect(describeTagRestore(result).text).toContain('commit not in this clone for v9-ghost');
  });
});
