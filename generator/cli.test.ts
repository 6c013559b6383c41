/**
 * The book command as users run it: a real process (node generator/book.mjs) in a temp
 * folder with a fixture book and a test database.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFixtureBook } from './test-fixtures/book.ts';
import { writeTestDatabase } from './test-fixtures/bench-db.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(REPO, 'generator', 'book.mjs');

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'book-cli-'));
  writeFixtureBook(join(dir, 'book'));
  mkdirSync(join(dir, 'data'));
  await writeTestDatabase(join(dir, 'data'));
  mkdirSync(join(dir, 'empty'));
  await writeTestDatabase(join(dir, 'empty'), { measured: false });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function book(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, env: { ...process.env, BOOK_DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const NO_STACK = /^\s+at /m;

describe('npm run book', () => {
  it('rejects a bad flag with a readable message and the usage, exit 2', async () => {
    const result = await book(['--frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^book: unknown option --frobnicate\n\nUsage: npm run book/);
    expect(result.stderr).not.toMatch(NO_STACK);
  });

  it('--help prints the usage, exit 0', async () => {
    const result = await book(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--keep-going');
    expect(result.stdout).toContain('--input <file.md>');
  });

  it('a missing database names the path and how to create it, exit 1', async () => {
    const result = await book(['--db', 'data/missing.sqlite', '--out', 'out-missing']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('database not found: data/missing.sqlite');
    expect(result.stderr).toContain('npm run bench');
    expect(result.stderr).not.toMatch(NO_STACK);
    expect(existsSync(join(dir, 'out-missing'))).toBe(false);
  });

  it('builds every book with a one-line summary, cleans old pages, keeps other files and never writes the database', async () => {
    mkdirSync(join(dir, 'site', 'gone'), { recursive: true });
    writeFileSync(join(dir, 'site', 'old-page.html'), 'old');
    writeFileSync(join(dir, 'site', 'gone', 'chapter.html'), 'old');
    writeFileSync(join(dir, 'site', 'CNAME'), 'book.example.org\n');
    const before = sha256(join(dir, 'data', 'bench.sqlite'));
    const result = await book([]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^book: 6 pages, 3 charts in \d+\.\d\d s → site\/ \(6 rendered, 0 reused\)\n$/);
    for (const page of ['index.html', 'alpha/00-intro.html', 'alpha/01-more.html', 'beta/00-only.html', 'errata.html', 'measurements.html', 'assets/book.js', 'assets/book.css', 'assets/mermaid.min.js']) {
      expect(existsSync(join(dir, 'site', page)), page).toBe(true);
    }
    expect(existsSync(join(dir, 'site', 'old-page.html'))).toBe(false);
    expect(existsSync(join(dir, 'site', 'gone'))).toBe(false);
    expect(readFileSync(join(dir, 'site', 'CNAME'), 'utf8')).toBe('book.example.org\n');
    expect(sha256(join(dir, 'data', 'bench.sqlite'))).toBe(before);
    // The chapter list was synced into the in-memory copy: the landing page's metric is live.
    // Its provenance: a title naming session, date, tool, machine, runs and interval, and a link to the appendix.
    expect(readFileSync(join(dir, 'site', 'index.html'), 'utf8')).toContain(
      'Chapter one serves <a class="metric-source" href="measurements.html#session-1"><span class="metric" data-tag="v1-baseline" data-field="baseline_rps" ' +
        'title="Session 1, 2026-01-01; autocannon 9.0.0; Test CPU (2 cores); median of 3 runs; 95% CI 1,000–1,020 req/s">1,010</span></a>',
    );
    expect(readFileSync(join(dir, 'site', 'measurements.html'), 'utf8')).toContain('<section class="measurement-session" id="session-1">');
  });

  it('Ctrl-C while the new site is being written leaves the old site or the new one, never a mix; the next build cleans up', async () => {
    writeFixtureBook(join(dir, 'book-ctrl-c'));
    const args = ['--book-dir', 'book-ctrl-c', '--out', 'site-ctrl-c', '--quiet'];
    await book(args);
    writeFileSync(join(dir, 'site-ctrl-c', 'CNAME'), 'book.example.org\n');
    const files = (root: string) =>
      Object.fromEntries((readdirSync(root, { recursive: true }) as string[]).filter((name) => statSync(join(root, name)).isFile()).map((name) => [name, sha256(join(root, name))]));
    const before = files(join(dir, 'site-ctrl-c'));
    writeFileSync(join(dir, 'book-ctrl-c', 'alpha', '01-more.md'), '# More\n\nRewritten since the last build.\n');
    // Interrupted as soon as its staging folder appears (or, if it is quicker, after it finished).
    const child = spawn(process.execPath, [CLI, ...args], { cwd: dir, stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    while (child.exitCode === null && child.signalCode === null && !readdirSync(dir).some((name) => name.startsWith('.site-ctrl-c.new-'))) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    child.kill('SIGINT');
    await exited;
    const interrupted = files(join(dir, 'site-ctrl-c'));
    const next = await book(args);
    expect(next.code).toBe(0);
    const after = files(join(dir, 'site-ctrl-c'));
    expect(after).not.toEqual(before);
    expect(after.CNAME).toBe(before.CNAME);
    expect([before, after]).toContainEqual(interrupted);
    expect(readdirSync(dir).filter((name) => name.startsWith('.site-ctrl-c.'))).toEqual([]);
  }, 180_000); // three builds

  it('a second build reuses every page, says so, and --no-cache renders them all again', async () => {
    await book(['--out', 'site-twice', '--quiet']);
    const again = await book(['--out', 'site-twice']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/\(0 rendered, 6 reused\)\n$/);
    const fresh = await book(['--out', 'site-twice', '--no-cache', '--timings']);
    expect(fresh.stdout).toMatch(/\(6 rendered, 0 reused\)\n$/);
    expect(fresh.stderr).toMatch(/^book: bundle (check|\(rebuilt\)) +\d+\.\d ms\n[\s\S]*^book: total \(node start\) +\d+\.\d ms\n$/m);
  });

  it('--input builds one Markdown file from anywhere, with its assets', async () => {
    mkdirSync(join(dir, 'elsewhere'), { recursive: true });
    writeFileSync(
      join(dir, 'elsewhere', 'kraft-book.md'),
      '<!-- @meta:title="KraftServer - High-Performance HTTP Server" -->\n# KraftServer\n\n' +
        '**Result: <!-- @metric:tag="v1-baseline" --> requests/second**\n\n' +
        '<!-- @chart:query="SELECT tag, baseline_rps FROM versions ORDER BY chapter_number" type="bar" title="RPS" -->\n',
    );
    const result = await book(['--input', 'elsewhere/kraft-book.md', '--out', 'single', '--quiet']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('');
    expect(result.code).toBe(0);
    const html = readFileSync(join(dir, 'single', 'kraft-book.html'), 'utf8');
    expect(html).toContain('<title>KraftServer - High-Performance HTTP Server</title>');
    expect(html).toContain('<figure class="chart">');
    expect(html).toContain('href="assets/book.css"');
    expect(existsSync(join(dir, 'single', 'assets', 'book.js'))).toBe(true);
    expect(existsSync(join(dir, 'single', 'index.html'))).toBe(false);
    expect(existsSync(join(dir, 'single', 'assets', 'mermaid.min.js'))).toBe(false); // no diagram, no 3 MB copy
  });

  describe('with a broken directive', () => {
    beforeAll(() => {
      mkdirSync(join(dir, 'broken', 'alpha'), { recursive: true });
      writeFileSync(join(dir, 'broken', 'alpha', '00-fine.md'), '# Fine\n\nThroughput: <!-- @metric:tag="v1-baseline" -->\n');
      writeFileSync(
        join(dir, 'broken', 'alpha', '01-broken.md'),
        '# Broken\n\nSome text.\n\n<!-- @chart:query="SELECT second, observed_rp FROM run_samples" title="Oops" -->\n\nMore text.\n',
      );
    });

    it('stops with file:line:col @name: reason, exit 1, no stack trace, nothing written', async () => {
      const result = await book(['--book-dir', 'broken', '--out', 'out-broken']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^broken\/alpha\/01-broken\.md:5:1 @chart: no such column: observed_rp\n$/);
      expect(existsSync(join(dir, 'out-broken'))).toBe(false);
    });

    it('--keep-going draws the error as a box, builds the rest, lists the errors and still exits 1', async () => {
      const result = await book(['--book-dir', 'broken', '--out', 'out-preview', '--keep-going']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('broken/alpha/01-broken.md:5:1 @chart: no such column: observed_rp');
      expect(result.stderr).toMatch(/1 directive error/);
      expect(result.stderr).not.toMatch(NO_STACK);
      const page = readFileSync(join(dir, 'out-preview', 'alpha', '01-broken.html'), 'utf8');
      expect(page).toMatch(/<div class="directive-error" role="alert">[^<]*observed_rp/);
      expect(page).toContain('More text.');
      expect(readFileSync(join(dir, 'out-preview', 'alpha', '00-fine.html'), 'utf8')).toContain('1,010');
    });
  });

  describe('limits', () => {
    beforeAll(() => {
      mkdirSync(join(dir, 'endless', 'alpha'), { recursive: true });
      writeFileSync(
        join(dir, 'endless', 'alpha', '00-loop.md'),
        '# Loop\n\nIntro.\n\n<!-- @table:query="WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r" -->\n',
      );
      mkdirSync(join(dir, 'long', 'alpha'), { recursive: true });
      writeFileSync(join(dir, 'long', 'alpha', '00-rows.md'), '# Rows\n\n<!-- @table:query="SELECT run_id, second FROM run_samples" -->\n');
    });

    it('stops a query that never ends at the time limit and names the directive', async () => {
      const result = await book(['--book-dir', 'endless', '--out', 'out-endless', '--query-timeout', '0.5']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^endless\/alpha\/00-loop\.md:5:1 @table: the query did not finish within 0\.5 s and was stopped .*--query-timeout/);
      expect(result.stderr).not.toMatch(NO_STACK);
      expect(existsSync(join(dir, 'out-endless'))).toBe(false);
    });

    it('refuses a result longer than the row limit (--max-rows), and builds it when the limit is raised', async () => {
      const refused = await book(['--book-dir', 'long', '--out', 'out-long', '--max-rows', '10']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^long\/alpha\/00-rows\.md:3:1 @table: the query returned more than 10 rows \(the row limit: .*--max-rows\)\n$/);
      const built = await book(['--book-dir', 'long', '--out', 'out-long', '--max-rows', '30', '--quiet']);
      expect(built.stderr).toBe('');
      expect(built.code).toBe(0);
    });
  });

  describe('hostile pages', () => {
    beforeAll(() => {
      mkdirSync(join(dir, 'hostile', 'alpha'), { recursive: true });
      const page = (name: string, text: string) => writeFileSync(join(dir, 'hostile', 'alpha', name), text);
      page('00-fine.md', '# Fine\n\nThroughput: <!-- @metric:tag="v1-baseline" -->\n');
      page('01-lists.md', `# x\n\n${'- '.repeat(1000)}d\n`);
      page('02-huge.md', 'A line of text in a page far too long.\n'.repeat(60_000));
      page('03-quotes.md', `# x\n\n${'> '.repeat(2000)}d\n`);
      page('04-comment.md', '# Notes\n\n<!-- a note, never closed\n\n<!-- @metric:tag="v1-baseline" -->\n');
      page('05-inline.md', 'Serves <!-- @metric:tag="v1-baseline" requests.\n\n'.repeat(50));
    });

    it('a page nested too deeply or over --max-page-bytes is refused before the database is opened, located, and nothing is written', async () => {
      writeFileSync(join(dir, 'not-a-database.sqlite'), 'opened, this would fail with "file is not a database"');
      const result = await book(['--book-dir', 'hostile', '--out', 'out-hostile', '--db', 'not-a-database.sqlite']);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('hostile/alpha/01-lists.md:3:65: nested deeper than 32 block quotes and list items (the limit of this generator); flatten the page\n');
      expect(existsSync(join(dir, 'out-hostile'))).toBe(false);
      const huge = await book(['--input', 'hostile/alpha/02-huge.md', '--out', 'out-hostile-huge']);
      expect(huge.code).toBe(1);
      expect(huge.stderr).toBe('hostile/alpha/02-huge.md:1:1: the page is 2,340,000 bytes, over the limit of 1,048,576 (raise it with --max-page-bytes)\n');
      expect(existsSync(join(dir, 'out-hostile-huge'))).toBe(false);
    });

    it('--keep-going builds every other page and lists each hostile one where it goes wrong', async () => {
      const result = await book(['--book-dir', 'hostile', '--out', 'out-hostile-preview', '--keep-going', '--quiet']);
      expect(result.code).toBe(1);
      expect(result.stderr).not.toMatch(NO_STACK);
      const lines = result.stderr.split('\n');
      expect(lines).toContain(
        'hostile/alpha/01-lists.md:3:65: nested deeper than 32 block quotes and list items (the limit of this generator); flatten the page (2 times; also at hostile/alpha/03-quotes.md:3:65)',
      );
      expect(lines).toContain('hostile/alpha/02-huge.md:1:1: the page is 2,340,000 bytes, over the limit of 1,048,576 (raise it with --max-page-bytes)');
      expect(lines.find((line) => line.startsWith('hostile/alpha/04-comment.md:3:1: this comment is not closed before the next "<!--"'))).toBeDefined();
      expect(lines).toContain(
        'hostile/alpha/05-inline.md:1:8 @metric: this directive is never closed ("-->" missing), so it is printed as text ' +
          '(50 times; also at hostile/alpha/05-inline.md:3:8, hostile/alpha/05-inline.md:5:8, hostile/alpha/05-inline.md:7:8, … 46 more) (warning; an error with --strict)',
      );
      expect(lines).toContain('book: 4 directive errors (drawn as red boxes in the pages: --keep-going)');
      expect(readFileSync(join(dir, 'out-hostile-preview', 'alpha', '00-fine.html'), 'utf8')).toContain('1,010');
      expect(readFileSync(join(dir, 'out-hostile-preview', 'alpha', '01-lists.html'), 'utf8')).toMatch(/<div class="directive-error" role="alert">[^<]*nested deeper than 32/);
    });

    it('--db naming a folder is a readable message', async () => {
      const result = await book(['--db', 'data', '--out', 'out-dbdir']);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('book: --db data is a folder; it must name the benchmark database file (e.g. data/bench.sqlite)\n');
    });
  });

  it('an unknown key is a located warning (exit 0), and an error with --strict', async () => {
    mkdirSync(join(dir, 'oldkeys', 'alpha'), { recursive: true });
    writeFileSync(join(dir, 'oldkeys', 'alpha', '00-a.md'), '# A\n\nServes <!-- @metric:tag="v1-baseline" colour="red" --> requests.\n');
    const lenient = await book(['--book-dir', 'oldkeys', '--out', 'out-oldkeys', '--quiet']);
    expect(lenient.stderr).toBe('oldkeys/alpha/00-a.md:3:8 @metric: unknown key "colour" (allowed: tag, field, format, query), ignored (warning; an error with --strict)\n');
    expect(lenient.code).toBe(0);
    const strict = await book(['--book-dir', 'oldkeys', '--out', 'out-oldkeys-strict', '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toBe('oldkeys/alpha/00-a.md:3:8 @metric: unknown key "colour" (allowed: tag, field, format, query)\n');
  });

  it('--strict fails on a chapter without measurement; without it the page says so', async () => {
    mkdirSync(join(dir, 'unmeasured', 'alpha'), { recursive: true });
    writeFileSync(join(dir, 'unmeasured', 'index.md'), '# Home\n\nChapter one serves <!-- @metric:tag="v1-baseline" --> requests per second.\n');
    writeFileSync(join(dir, 'unmeasured', 'alpha', '00-a.md'), '# A\n');
    const strict = await book(['--book-dir', 'unmeasured', '--db', 'empty/bench.sqlite', '--out', 'out-strict', '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/^unmeasured\/index\.md:3:20 @metric: v1-baseline has no measurement yet/);
    const lenient = await book(['--book-dir', 'unmeasured', '--db', 'empty/bench.sqlite', '--out', 'out-lenient', '--quiet']);
    expect(lenient.stderr).toBe('');
    expect(lenient.code).toBe(0);
    expect(readFileSync(join(dir, 'out-lenient', 'index.html'), 'utf8')).toContain('no measurement yet');
  });
});
