import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Chapter } from '../../db/chapters.ts';
import { bundledCommand, tsxCommand } from '../testing/cli-bundle.ts';
import { TINY_SERVER, git } from '../testing/tiny-repo.ts';
import { CONTRACT_CHECKS, checksFor, type ContractCheck } from './suite.ts';
import { passed, renderVerdicts, verifyChapters } from './verify.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * The broken chapter never ingests, so each verification of it waits out the ingest
 * deadline: a short one here (the real servers ingest in well under a second).
 */
const INGEST_WAIT_SECONDS = 5;

const START = ['node', 'server/dist/server.mjs', '--host', '127.0.0.1', '--port', '{port}', '--provider-url', '{providerUrl}', '--data-dir', '{dataDir}'];

/**
 * A temporary repository with three chapters: 1 and 2 the real server (this tree's bundle,
 * committed built, so prepare and build are no-ops), 3 a tiny server that breaks the contract.
 */
function createRepo(bundle: string): { dir: string; chapters: Chapter[] } {
  const dir = mkdtempSync(join(tmpdir(), 'chapters-verify-repo-'));
  git(dir, 'init', '-q', '-b', 'main');
  writeFileSync(join(dir, '.gitignore'), '.cache/\n');
  mkdirSync(join(dir, 'server', 'dist'), { recursive: true });
  const contract = (start: string[]) => JSON.stringify({ contract: 1, prepare: ['node', '-e', '0'], build: ['node', '-e', '0'], start, ready: { path: '/health', status: 200 }, env: {} });
  const chapters: Chapter[] = [];
  const commit = (number: number, tag: string) => {
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', `chapter ${number}`);
    chapters.push({ number, tag, commit: git(dir, 'rev-parse', 'HEAD'), title: tag, technique: 'test', summary: 'test' });
  };
  copyFileSync(bundle, join(dir, 'server', 'dist', 'server.mjs'));
  writeFileSync(join(dir, 'server', 'chapter.json'), contract(START));
  commit(1, 'v1-real');
  writeFileSync(join(dir, 'server', 'version.txt'), '2');
  commit(2, 'v2-real');
  writeFileSync(join(dir, 'server', 'tiny.mjs'), TINY_SERVER);
  writeFileSync(join(dir, 'server', 'chapter.json'), contract(['node', 'server/tiny.mjs', '--port', '{port}', '--provider-url', '{providerUrl}', '--data-dir', '{dataDir}']));
  commit(3, 'v3-broken');
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data', 'chapters.json'), JSON.stringify({ chapters }));
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'chapter list');
  return { dir, chapters };
}

describe('checksFor', () => {
  it('holds a chapter to the checks of its own chapter and earlier ones only', () => {
    expect(checksFor(1).every((c) => c.since === 1)).toBe(true);
    expect(checksFor(1).length).toBeGreaterThan(5);
    expect(checksFor(2).length).toBeGreaterThan(checksFor(1).length);
    expect(checksFor(99)).toEqual([...CONTRACT_CHECKS]);
  });
});

describe('npm run verify on a temporary repository', () => {
  let repo: { dir: string; chapters: Chapter[] };
  const log: string[] = [];

  beforeAll(() => {
    const bundleDir = mkdtempSync(join(tmpdir(), 'chapters-verify-bundle-'));
    const bundle = join(bundleDir, 'server.mjs');
    execFileSync(join(ROOT, 'node_modules', '.bin', 'esbuild'), [
      'src/main.ts', '--bundle', '--platform=node', '--target=node20', '--format=esm', `--outfile=${bundle}`,
      "--banner:js=import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
    ], { cwd: join(ROOT, 'server'), stdio: 'pipe' });
    repo = createRepo(bundle);
  });

  afterAll(() => rmSync(repo.dir, { recursive: true, force: true }));

  it('passes a real server, fails a broken one, and applies a later check only from its chapter on', async () => {
    const laterCheck: ContractCheck = { name: 'a check added with chapter 2', since: 2, run: async () => { throw new Error('chapter 2 broke it'); } };
    const verdicts = await verifyChapters(repo.dir, repo.chapters, { log: (line) => log.push(line), checks: [...CONTRACT_CHECKS, laterCheck], ingestWaitMs: INGEST_WAIT_SECONDS * 1000 });
    const [v1, v2, v3] = verdicts;
    expect(v1.failure ?? '').toBe('');
    expect(v1.checks.filter((c) => !c.ok)).toEqual([]);
    expect(v1.checks.map((c) => c.name)).not.toContain(laterCheck.name);
    expect(passed(v1)).toBe(true);

    expect(v2.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual([laterCheck.name]);
    expect(passed(v2)).toBe(false);

    expect(v3.failure).toBeNull();
    expect(v3.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(expect.arrayContaining(['polls the provider: sample answers 1-3 ingested', 'the 291/322/1591 sequence: exactly those, latest values, ordered by start, JSON']));
    const report = renderVerdicts(verdicts);
    expect(report).toMatch(/^PASS chapter 1 v1-real/m);
    expect(report).toMatch(/^FAIL chapter 2 v2-real .*\n {2}✗ a check added with chapter 2 \(since chapter 2\)\n {4}chapter 2 broke it/m);
    expect(report).toMatch(/^FAIL chapter 3 v3-broken/m);
    expect(log.some((line) => line.includes('contract suite on http://127.0.0.1:'))).toBe(true);
  }, 120_000);

  it('the command: exit 1 when a chapter fails, 2 on bad usage, 0 for --help', () => {
    // This run's bundle of the command (testing/cli-bundle.ts); --help as `npm run verify` starts it (tsx).
    const run = (...args: string[]) => spawnSync(process.execPath, [...bundledCommand('bench/verify/cli.ts'), ...args], { cwd: repo.dir, encoding: 'utf8' });
    const failing = run('verify', '--chapters', 'v3-broken', '--ingest-wait', String(INGEST_WAIT_SECONDS));
    expect(failing.status).toBe(1);
    expect(failing.stdout).toMatch(/^FAIL chapter 3 v3-broken/m);
    const usage = run('check');
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('unknown command "check"');
    const unknownTag = run('verify', '--chapters', 'v9');
    expect(unknownTag.status).toBe(2);
    expect(unknownTag.stderr).toContain('unknown tag(s) v9');
    expect(spawnSync(process.execPath, [...tsxCommand('bench/verify/cli.ts'), '--help'], { cwd: repo.dir, encoding: 'utf8' }).status).toBe(0);
  }, 120_000);
});
