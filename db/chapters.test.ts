import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseChapterList, readCommitDetails } from './chapters.ts';

const repo = mkdtempSync(join(tmpdir(), 'commit-details-'));
afterAll(() => rmSync(repo, { recursive: true, force: true }));

function git(args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, ...env } }).trim();
}

describe('readCommitDetails', () => {
  it("gives the committer date (when the commit landed), not the author date, and skips commits the repository lacks", () => {
    git(['init', '-q']);
    writeFileSync(join(repo, 'file.txt'), 'one');
    git(['add', '.']);
    git(['-c', 'user.name=Ada', '-c', 'user.email=ada@example.com', 'commit', '-q', '-m', 'chapter 1: baseline'], {
      GIT_AUTHOR_DATE: '2020-01-02T03:04:05+00:00',
      GIT_COMMITTER_DATE: '2021-06-07T08:09:10+00:00',
    });
    const head = git(['rev-parse', 'HEAD']);
    const absent = 'f'.repeat(40);
    const details = readCommitDetails(repo, [head, absent]);
    expect(details.get(head)).toEqual({ message: 'chapter 1: baseline', author: 'Ada', date: '2021-06-07T08:09:10+00:00' });
    expect(details.has(absent)).toBe(false);
  });

  it('throws outside a checkout', () => {
    const notRepo = mkdtempSync(join(tmpdir(), 'not-a-repo-'));
    try {
      expect(() => readCommitDetails(notRepo, ['f'.repeat(40)])).toThrow();
    } finally {
      rmSync(notRepo, { recursive: true, force: true });
    }
  });
});

describe('parseChapterList: experiments', () => {
  const list = (experiments: unknown) =>
    JSON.stringify({ chapters: [{ number: 8, tag: 'v8', commit: 'a'.repeat(40), title: 't', technique: 't', summary: 's', experiments }] });

  it('reads a kernel connection limit', () => {
    expect(parseChapterList(list([{ name: 'kernel', connlimit: 64 }]), 'c.json')[0].experiments).toEqual([{ name: 'kernel', connlimit: 64 }]);
  });

  it('names the experiment whose connlimit or name is wrong', () => {
    expect(() => parseChapterList(list([{ name: 'kernel', connlimit: 0 }]), 'c.json')).toThrow(/^c\.json: chapters\[0\]\.experiments\[0\]: "connlimit" must be a positive integer/);
    expect(() => parseChapterList(list([{ name: 'ok' }, { name: 'k', connlimit: '64' }]), 'c.json')).toThrow(/experiments\[1\]: "connlimit" must be a positive integer/);
    expect(() => parseChapterList(list([{ connlimit: 4 }]), 'c.json')).toThrow(/experiments\[0\]: "name" must be a non-empty string/);
  });
});
