/**
 * The book workflow's bench-data scripts (.github/scripts/bench-data-*.sh), run for real
 * against a local bare repository standing in for GitHub's origin.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const scripts = fileURLToPath(new URL('../../.github/scripts/', import.meta.url));
const gitEnv = { GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.org' };
let tmp: string;
let origin: string;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...gitEnv } }).trim();
}

function script(cwd: string, name: string, ...args: string[]): string {
  return execFileSync('bash', [join(scripts, name), ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...gitEnv, RUNNER_TEMP: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A fresh checkout of origin's main, like actions/checkout in a new run. */
function checkout(name: string): string {
  const dir = join(tmp, name);
  git(tmp, 'clone', '--quiet', origin, dir);
  return dir;
}

/** Binary content with NUL bytes, like a real SQLite file. */
const database = (label: string) => Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.from(label), Buffer.alloc(64)]);

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'bench-data-test-'));
  origin = join(tmp, 'origin.git');
  git(tmp, 'init', '--quiet', '--bare', '-b', 'main', origin);
  const seed = join(tmp, 'seed');
  git(tmp, 'init', '--quiet', '-b', 'main', seed);
  mkdirSync(join(seed, 'data'));
  writeFileSync(join(seed, 'data', 'bench.sqlite'), database('committed'));
  writeFileSync(join(seed, 'book.md'), '# the book\n');
  git(seed, 'add', '-A');
  git(seed, 'commit', '--quiet', '-m', 'the book');
  git(seed, 'push', '--quiet', origin, 'main');
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('bench-data scripts', () => {
  it('first run: nothing to restore, then the save creates an orphan branch holding only the database', () => {
    const run = checkout('run1');
    const restored = script(run, 'bench-data-restore.sh');
    expect(restored).toContain('no bench-data branch yet');
    expect(readFileSync(join(run, 'data', 'bench.sqlite'))).toEqual(database('committed'));

    writeFileSync(join(run, 'data', 'bench.sqlite'), database('run 1'));
    expect(script(run, 'bench-data-save.sh', 'data/bench.sqlite', 'results of run 1')).toMatch(/saved data\/bench.sqlite to bench-data/);

    expect(git(origin, 'ls-tree', '--name-only', 'bench-data').split('\n')).toEqual(['README.md', 'bench.sqlite']);
    expect(git(origin, 'rev-list', '--count', 'bench-data')).toBe('1'); // orphan: none of main's history
    expect(git(origin, 'log', '-1', '--format=%s', 'bench-data')).toBe('results of run 1');
    expect(execFileSync('git', ['show', 'bench-data:bench.sqlite'], { cwd: origin })).toEqual(database('run 1'));
    expect(git(run, 'status', '--porcelain', '--untracked-files=no')).toBe('M data/bench.sqlite'); // main untouched but for the file
    expect(git(run, 'worktree', 'list').split('\n')).toHaveLength(1);
  });

  it('next run: restores the saved database, and the save adds one commit on top', () => {
    const run = checkout('run2');
    expect(script(run, 'bench-data-restore.sh')).toMatch(/restored data\/bench.sqlite from bench-data/);
    expect(readFileSync(join(run, 'data', 'bench.sqlite'))).toEqual(database('run 1'));

    writeFileSync(join(run, 'data', 'bench.sqlite'), database('run 2'));
    script(run, 'bench-data-save.sh', 'data/bench.sqlite', 'results of run 2');
    expect(git(origin, 'rev-list', '--count', 'bench-data')).toBe('2');
    expect(execFileSync('git', ['show', 'bench-data:bench.sqlite'], { cwd: origin })).toEqual(database('run 2'));
    expect(git(run, 'worktree', 'list').split('\n')).toHaveLength(1);
  });

  it('a run that measured nothing new adds no commit', () => {
    const run = checkout('run3');
    script(run, 'bench-data-restore.sh');
    expect(script(run, 'bench-data-save.sh')).toContain('no new results');
    expect(git(origin, 'rev-list', '--count', 'bench-data')).toBe('2');
  });

  it('refuses to save a database that does not exist', () => {
    const run = checkout('run4');
    expect(() => script(run, 'bench-data-save.sh', 'data/missing.sqlite')).toThrow(/does not exist/);
    expect(git(origin, 'rev-list', '--count', 'bench-data')).toBe('2');
  });
});
