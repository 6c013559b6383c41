/**
 * The page cache through real builds: a second build renders nothing, a changed page or
 * changed data renders exactly what depends on it, and the site is byte for byte what a
 * build without the cache writes.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite } from './build.ts';
import { nodeEffects } from './effects.ts';
import type { BuildOptions } from './options.ts';
import { writeTestDatabase } from './test-fixtures/bench-db.ts';

let dir: string;
let data: { db: string; chapters: string };
let unmeasured: { db: string; chapters: string };
const now = nodeEffects({ now: () => new Date('2026-11-23T12:00:00Z') });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'book-cache-'));
  mkdirSync(join(dir, 'data'));
  mkdirSync(join(dir, 'unmeasured'));
  data = await writeTestDatabase(join(dir, 'data'));
  unmeasured = await writeTestDatabase(join(dir, 'unmeasured'), { measured: false });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PAGES = {
  'index.md': '# Home\n\nChapter one serves <!-- @metric:tag="v1-baseline" --> requests per second.\n',
  'b/00-a.md': '# A\n\n<!-- @table:query="SELECT tag, baseline_rps FROM versions ORDER BY chapter_number" -->\n\n<!-- @footer:generated_at -->\n',
  'b/01-b.md': '# B\n\n<!-- @chart:type="bar" query="SELECT tag, baseline_rps FROM versions ORDER BY chapter_number" title="RPS" -->\n',
  'b/02-c.md': '# C\n\nNo numbers here.\n',
};

function writeBook(name: string): string {
  const bookDir = join(dir, name);
  for (const [path, text] of Object.entries(PAGES)) {
    mkdirSync(join(bookDir, path, '..'), { recursive: true });
    writeFileSync(join(bookDir, path), text);
  }
  return bookDir;
}

function options(bookDir: string, out: string, cacheDir: string | null, generatorVersion = 'v1'): BuildOptions {
  return {
    bookDir,
    db: data.db,
    chapters: data.chapters,
    out,
    keepGoing: false,
    strict: false,
    quiet: true,
    ...(cacheDir ? { cache: { dir: cacheDir, generatorVersion } } : {}),
  };
}

/** Every file of a site folder with its content (the build's own manifest included). */
function siteFiles(out: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(out, { recursive: true }) as string[]) {
    const path = join(out, name);
    try {
      files.set(relative(out, path), readFileSync(path, 'latin1'));
    } catch {
      // a folder
    }
  }
  return files;
}

/** The site a build without any cache writes from the same inputs, for comparison. */
async function freshSite(bookDir: string, name: string): Promise<Map<string, string>> {
  const out = join(dir, `${name}-fresh-${Math.random().toString(36).slice(2)}`);
  await buildSite(options(bookDir, out, null), now);
  return siteFiles(out);
}

describe('the page cache', () => {
  it('a second build renders nothing and writes the same site as a build without cache', async () => {
    const bookDir = writeBook('twice');
    const out = join(dir, 'twice-site');
    const cache = join(dir, 'twice-cache');
    const first = await buildSite(options(bookDir, out, cache), now);
    expect([first.rendered, first.reused]).toEqual([6, 0]); // 4 pages + errata + measurements
    const second = await buildSite(options(bookDir, out, cache), now);
    expect([second.rendered, second.reused]).toEqual([0, 6]);
    expect(second.charts).toBe(1);
    expect(siteFiles(out)).toEqual(await freshSite(bookDir, 'twice'));
  });

  it('a changed page is the only one rendered again, and the menus of the others follow its new title', async () => {
    const bookDir = writeBook('edit');
    const out = join(dir, 'edit-site');
    const cache = join(dir, 'edit-cache');
    await buildSite(options(bookDir, out, cache), now);
    writeFileSync(join(bookDir, 'b', '02-c.md'), '# C, renamed\n\nStill no numbers.\n');
    const result = await buildSite(options(bookDir, out, cache), now);
    expect([result.rendered, result.reused]).toEqual([1, 5]);
    expect(readFileSync(join(out, 'b', '00-a.html'), 'utf8')).toContain('C, renamed');
    expect(siteFiles(out)).toEqual(await freshSite(bookDir, 'edit'));
  });

  it('changed data renders every page and the appendix again; a database only touched renders nothing', async () => {
    const bookDir = writeBook('data');
    const out = join(dir, 'data-site');
    const cache = join(dir, 'data-cache');
    const saved = join(dir, 'data-measured.sqlite');
    copyFileSync(data.db, saved);
    try {
      await buildSite(options(bookDir, out, cache), now);
      const touched = new Date(Date.now() - 60_000);
      utimesSync(data.db, touched, touched);
      expect((await buildSite(options(bookDir, out, cache), now)).rendered).toBe(0);

      copyFileSync(unmeasured.db, data.db);
      const result = await buildSite(options(bookDir, out, cache), now);
      expect([result.rendered, result.reused]).toEqual([6, 0]);
      expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('no measurement yet');
      expect(siteFiles(out)).toEqual(await freshSite(bookDir, 'data'));
    } finally {
      copyFileSync(saved, data.db);
    }
  });

  it('a changed chapter list, another generator version or other settings render again', async () => {
    const bookDir = writeBook('inputs');
    const out = join(dir, 'inputs-site');
    const cache = join(dir, 'inputs-cache');
    await buildSite(options(bookDir, out, cache), now);
    expect((await buildSite(options(bookDir, out, cache, 'v2'), now)).rendered).toBe(6);
    // --strict changes what a page may show, not the appendix (generated from the data alone).
    expect((await buildSite({ ...options(bookDir, out, cache, 'v2'), strict: true }, now)).rendered).toBe(4);
    expect((await buildSite({ ...options(bookDir, out, cache, 'v2'), maxRows: 50 }, now)).rendered).toBe(6);
    const chapters = join(dir, 'inputs-chapters.json');
    writeFileSync(chapters, readFileSync(data.chapters, 'utf8').replace(/"title":\s*"/, '$&Renamed: '));
    expect(readFileSync(chapters, 'utf8')).toContain('Renamed: ');
    expect((await buildSite({ ...options(bookDir, out, cache, 'v2'), chapters }, now)).rendered).toBe(6);
    expect((await buildSite({ ...options(bookDir, out, cache, 'v2'), chapters }, now)).rendered).toBe(0);
  });

  it('a reused page still says when and from which commit this build made it', async () => {
    const bookDir = writeBook('stamp');
    const out = join(dir, 'stamp-site');
    const cache = join(dir, 'stamp-cache');
    await buildSite(options(bookDir, out, cache), now);
    const later = nodeEffects({ now: () => new Date('2026-12-01T08:00:00Z') });
    const result = await buildSite(options(bookDir, out, cache), later);
    expect(result.rendered).toBe(0);
    const page = readFileSync(join(out, 'b', '00-a.html'), 'utf8');
    expect(page).toContain('Generated <time datetime="2026-12-01T08:00:00.000Z">');
    expect(page).not.toContain('book:generated-line');
  });

  it('never keeps a page with a directive error: it is rendered (and reported) at every build', async () => {
    const bookDir = writeBook('broken');
    writeFileSync(join(bookDir, 'b', '02-c.md'), '# C\n\n<!-- @metric:tag="no-such-tag" -->\n');
    const out = join(dir, 'broken-site');
    const cache = join(dir, 'broken-cache');
    const preview = { ...options(bookDir, out, cache), keepGoing: true };
    const first = await buildSite(preview, now);
    expect(first.errors).toHaveLength(1);
    const second = await buildSite(preview, now);
    expect([second.rendered, second.reused]).toEqual([1, 5]);
    expect(second.errors.map((error) => error.message)).toEqual(first.errors.map((error) => error.message));
  });
});
