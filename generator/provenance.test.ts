import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findProvenance, readHead, readOriginUrl, toHttpsRepoUrl } from './provenance.ts';

describe('toHttpsRepoUrl', () => {
  it('turns the usual ways of writing a repository into its https address', () => {
    expect(toHttpsRepoUrl('git@github.com:owner/book.git')).toBe('https://github.com/owner/book');
    expect(toHttpsRepoUrl('https://github.com/owner/book.git')).toBe('https://github.com/owner/book');
    expect(toHttpsRepoUrl('git+https://github.com/owner/book.git')).toBe('https://github.com/owner/book');
    expect(toHttpsRepoUrl('ssh://git@gitlab.example.org/group/book.git')).toBe('https://gitlab.example.org/group/book');
    expect(toHttpsRepoUrl('github:owner/book')).toBe('https://github.com/owner/book');
    expect(toHttpsRepoUrl('owner/book')).toBe('https://github.com/owner/book');
    expect(toHttpsRepoUrl('/srv/git/book.git')).toBeUndefined();
    expect(toHttpsRepoUrl('')).toBeUndefined();
  });
});

describe('findProvenance', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'book-provenance-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

  it('outside a git checkout it finds nothing, from the environment what CI provides', () => {
    expect(findProvenance(dir, {})).toEqual({});
    const sha = 'f'.repeat(40);
    expect(findProvenance(dir, { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'o/r', GITHUB_SHA: sha })).toEqual({
      repoUrl: 'https://github.com/o/r',
      buildCommit: sha,
    });
  });

  it('in a checkout: HEAD and the origin remote; package.json "repository" wins', () => {
    git('init', '-q');
    git('-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'start');
    git('remote', 'add', 'origin', 'git@github.com:someone/perf-book.git');
    const head = git('rev-parse', 'HEAD');
    expect(findProvenance(dir, {})).toEqual({ repoUrl: 'https://github.com/someone/perf-book', buildCommit: head });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ repository: { type: 'git', url: 'git+https://github.com/org/book.git' } }));
    expect(findProvenance(dir, {}).repoUrl).toBe('https://github.com/org/book');
  });
});

describe('reading .git directly', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'book-gitdir-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

  it('agrees with git for loose refs, packed refs, a detached HEAD, a linked worktree and a subfolder', () => {
    const repo = join(dir, 'repo');
    execFileSync('git', ['init', '-q', repo]);
    git(repo, '-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'one');
    expect(readHead(repo)).toBe(git(repo, 'rev-parse', 'HEAD'));
    expect(readOriginUrl(repo)).toBeNull();
    git(repo, 'remote', 'add', 'origin', 'https://example.org/team/book.git');
    expect(readOriginUrl(repo)).toBe('https://example.org/team/book.git');

    git(repo, 'pack-refs', '--all');
    expect(readHead(repo)).toBe(git(repo, 'rev-parse', 'HEAD'));
    mkdirSync(join(repo, 'book', 'server'), { recursive: true });
    expect(readHead(join(repo, 'book', 'server'))).toBe(git(repo, 'rev-parse', 'HEAD'));

    git(repo, '-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'two');
    git(repo, 'worktree', 'add', '-q', '--detach', join(dir, 'linked'), 'HEAD~1');
    expect(readHead(join(dir, 'linked'))).toBe(git(join(dir, 'linked'), 'rev-parse', 'HEAD'));
    expect(readHead(join(dir, 'linked'))).not.toBe(readHead(repo));
    expect(readOriginUrl(join(dir, 'linked'))).toBe('https://example.org/team/book.git');
    expect(findProvenance(join(dir, 'linked'), {}).repoUrl).toBe('https://example.org/team/book');
  });
});
