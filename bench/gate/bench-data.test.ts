/**
 * The book workflow's bench-data scripts (.github/scripts/bench-data-*.sh), run for real
 * against a local bare repository standing in for GitHub's origin: one database per
 * machine kind, and matrix jobs pushing at the same time lose nothing.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const scripts = fileURLToPath(new URL('../../.github/scripts/', import.meta.url));
const gitEnv = { GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.org' };
const X64 = 'data/bench-ubuntu-24.04.sqlite';
const ARM = 'data/bench-ubuntu-24.04-arm.sqlite';
let tmp: string;
let origin: string;

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...gitEnv } }).trim();
}

function script(cwd: string, name: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync('bash', [join(scripts, name), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...gitEnv, RUNNER_TEMP: tmp, BENCH_DATA_RETRY_SECONDS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A fresh checkout of origin's main, like actions/checkout in a new job. */
function checkout(name: string): string {
  const dir = join(tmp, name);
  git(tmp, 'clone', '--quiet', origin, dir);
  return dir;
}

/** Binary content with NUL bytes, like a real SQLite file. */
const database = (label: string) => Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.from(label), Buffer.alloc(64)]);
const onBranch = (file: string) => execFileSync('git', ['show', `bench-data:${file}`], { cwd: origin });
const branchFiles = () => git(origin, 'ls-tree', '--name-only', 'bench-data').split('\n');
const commits = () => Number(git(origin, 'rev-list', '--count', 'bench-data'));

function writeDatabase(run: string, path: string, label: string): void {
  mkdirSync(join(run, 'data'), { recursive: true });
  writeFileSync(join(run, path), database(label));
}

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
  it('first run: nothing to restore, then the save creates an orphan branch holding only that machine’s database', () => {
    const run = checkout('x64-1');
    expect(script(run, 'bench-data-restore.sh', [X64])).toContain('no bench-data branch yet');
    expect(existsSync(join(run, X64))).toBe(false);

    writeDatabase(run, X64, 'x64 run 1');
    expect(script(run, 'bench-data-save.sh', [X64, 'x64 results of run 1'])).toMatch(/saved data\/bench-ubuntu-24.04.sqlite to bench-data as bench-ubuntu-24.04.sqlite/);

    expect(branchFiles()).toEqual(['README.md', 'bench-ubuntu-24.04.sqlite']);
    expect(commits()).toBe(1); // orphan: none of main's history
    expect(git(origin, 'log', '-1', '--format=%s', 'bench-data')).toBe('x64 results of run 1');
    expect(onBranch('bench-ubuntu-24.04.sqlite')).toEqual(database('x64 run 1'));
    expect(git(run, 'status', '--porcelain')).toBe('?? data/bench-ubuntu-24.04.sqlite'); // main untouched
    expect(git(run, 'worktree', 'list').split('\n')).toHaveLength(1);
  });

  it("a second machine kind restores nothing of the first one's and adds its own file beside it", () => {
    const run = checkout('arm-1');
    expect(script(run, 'bench-data-restore.sh', [ARM])).toContain('no bench-ubuntu-24.04-arm.sqlite on bench-data yet');
    expect(existsSync(join(run, ARM))).toBe(false);
    writeDatabase(run, ARM, 'arm run 1');
    script(run, 'bench-data-save.sh', [ARM, 'arm results of run 1']);
    expect(branchFiles()).toEqual(['README.md', 'bench-ubuntu-24.04-arm.sqlite', 'bench-ubuntu-24.04.sqlite']);
    expect(onBranch('bench-ubuntu-24.04.sqlite')).toEqual(database('x64 run 1'));
    expect(commits()).toBe(2);
  });

  it('next run: each machine restores its own database, and its save adds one commit on top', () => {
    const run = checkout('x64-2');
    expect(script(run, 'bench-data-restore.sh', [X64])).toMatch(/restored data\/bench-ubuntu-24.04.sqlite from bench-data/);
    expect(readFileSync(join(run, X64))).toEqual(database('x64 run 1'));
    writeDatabase(run, X64, 'x64 run 2');
    script(run, 'bench-data-save.sh', [X64, 'x64 results of run 2']);
    expect(commits()).toBe(3);
    expect(onBranch('bench-ubuntu-24.04.sqlite')).toEqual(database('x64 run 2'));
    expect(onBranch('bench-ubuntu-24.04-arm.sqlite')).toEqual(database('arm run 1'));
  });

  it('a run that measured nothing new adds no commit', () => {
    const run = checkout('arm-2');
    script(run, 'bench-data-restore.sh', [ARM]);
    expect(script(run, 'bench-data-save.sh', [ARM])).toContain('no new results');
    expect(commits()).toBe(3);
  });

  it('--all restores every machine’s database, for the merge', () => {
    const run = checkout('book');
    expect(script(run, 'bench-data-restore.sh', ['--all', 'data/machines'])).toMatch(/^restored 2 databases from bench-data \w+ into data\/machines: /);
    expect(readdirSync(join(run, 'data', 'machines')).sort()).toEqual(['bench-ubuntu-24.04-arm.sqlite', 'bench-ubuntu-24.04.sqlite']);
    expect(readFileSync(join(run, 'data', 'machines', 'bench-ubuntu-24.04.sqlite'))).toEqual(database('x64 run 2'));
  });

  it('a push refused because another job pushed first is made again on the new tip: nobody’s results are lost', () => {
    // `git` on PATH runs the other matrix job's whole save right before this job's first push.
    const other = checkout('arm-3');
    writeDatabase(other, ARM, 'arm run 3');
    const race = join(tmp, 'race-bin');
    mkdirSync(race);
    const marker = join(tmp, 'raced');
    writeFileSync(
      join(race, 'git'),
      `#!/bin/sh
case " $* " in
  *" push "*) if [ ! -e "${marker}" ]; then touch "${marker}"; (cd "${other}" && PATH="${process.env.PATH}" bash "${join(scripts, 'bench-data-save.sh')}" "${ARM}" "arm results of run 3" >/dev/null); fi ;;
esac
exec "$(PATH="${process.env.PATH}" command -v git)" "$@"
`,
    );
    chmodSync(join(race, 'git'), 0o755);

    const run = checkout('x64-3');
    writeDatabase(run, X64, 'x64 run 3');
    const output = script(run, 'bench-data-save.sh', [X64, 'x64 results of run 3'], { PATH: `${race}:${process.env.PATH}` });
    expect(existsSync(marker)).toBe(true);
    expect(output).toMatch(/push of bench-ubuntu-24.04.sqlite refused \(attempt 1 of 5/);
    expect(output).toMatch(/saved data\/bench-ubuntu-24.04.sqlite to bench-data/);
    expect(git(origin, 'log', '--format=%s', '-2', 'bench-data').split('\n')).toEqual(['x64 results of run 3', 'arm results of run 3']);
    expect(onBranch('bench-ubuntu-24.04.sqlite')).toEqual(database('x64 run 3'));
    expect(onBranch('bench-ubuntu-24.04-arm.sqlite')).toEqual(database('arm run 3'));
    expect(git(run, 'worktree', 'list').split('\n')).toHaveLength(1);
  });

  it('refuses to save a database that does not exist', () => {
    const run = checkout('missing');
    expect(() => script(run, 'bench-data-save.sh', ['data/missing.sqlite'])).toThrow(/does not exist/);
    expect(commits()).toBe(5);
  });
});
