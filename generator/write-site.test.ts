/**
 * The site is swapped in whole: a build stopped at any file-system call — its process
 * dead from then on, nothing more written — leaves the old site or the new one, and
 * the next build cleans up after it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite } from './build.ts';
import { nodeEffects, type BuildFs } from './effects.ts';
import type { BuildOptions } from './options.ts';
import { writeTestDatabase } from './test-fixtures/bench-db.ts';

let dir: string;
let data: { db: string; chapters: string };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'book-swap-'));
  data = await writeTestDatabase(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const effects = (fileSystem: BuildFs = fs) => nodeEffects({ fs: fileSystem, now: () => new Date('2026-12-01T08:00:00Z') });

function options(bookDir: string, out: string): BuildOptions {
  return { bookDir, db: data.db, chapters: data.chapters, out, keepGoing: false, strict: false, quiet: true, cache: { dir: join(dir, 'cache'), generatorVersion: 'test' } };
}

/** Every file under `root` with its content; null when the folder does not exist. */
function snapshot(root: string): Record<string, string> | null {
  if (!existsSync(root)) return null;
  const files: Record<string, string> = {};
  for (const name of readdirSync(root, { recursive: true }) as string[]) {
    const path = join(root, name);
    if (fs.statSync(path).isFile()) files[name] = readFileSync(path, 'latin1');
  }
  return files;
}

class Died extends Error {}

/** The file system of a process that dies at its `at`-th call: that call and every later one fail. */
function dyingAt(at: number): { fs: BuildFs; calls: () => number } {
  let calls = 0;
  const wrapped = Object.fromEntries(
    Object.entries(fs).map(([name, value]) => [
      name,
      typeof value === 'function'
        ? (...args: unknown[]) => {
            if (++calls >= at) throw new Died(`died at call ${at} (${name})`);
            return (value as (...a: unknown[]) => unknown)(...args);
          }
        : value,
    ]),
  ) as unknown as BuildFs;
  return { fs: wrapped, calls: () => calls };
}

function leftovers(out: string): string[] {
  return readdirSync(join(out, '..')).filter((name) => name.startsWith('.site.'));
}

describe('writing the site', () => {
  it('a build that dies at any file-system call leaves the old site or the new one; the next build cleans up', async () => {
    const bookDir = join(dir, 'book');
    mkdirSync(join(bookDir, 'b'), { recursive: true });
    writeFileSync(join(bookDir, 'b', '00-a.md'), '# A\n\nFirst page.\n');
    writeFileSync(join(bookDir, 'b', '01-b.md'), '# B\n\nSecond page.\n');
    const work = join(dir, 'work');
    mkdirSync(work);
    const out = join(work, 'site');
    await buildSite(options(bookDir, out), effects());
    writeFileSync(join(out, 'CNAME'), 'book.example.org\n'); // not the build's: carried over
    const oldSite = join(dir, 'old-site');
    cpSync(out, oldSite, { recursive: true });
    const before = snapshot(out);

    writeFileSync(join(bookDir, 'b', '01-b.md'), '# B\n\nSecond page, rewritten.\n');
    writeFileSync(join(bookDir, 'b', '02-c.md'), '# C\n\nA new page.\n');
    await buildSite(options(bookDir, out), effects()); // renders the changes into the cache
    const after = snapshot(out);
    expect(after).not.toEqual(before);
    expect(after?.CNAME).toBe('book.example.org\n');

    const restore = () => {
      rmSync(out, { recursive: true, force: true });
      for (const name of leftovers(out)) rmSync(join(work, name), { recursive: true, force: true });
      cpSync(oldSite, out, { recursive: true });
    };
    restore();
    const counting = dyingAt(Infinity);
    await buildSite(options(bookDir, out), effects(counting.fs));
    expect(snapshot(out)).toEqual(after);
    const calls = counting.calls();
    expect(calls).toBeGreaterThan(20);

    const outcomes = { old: 0, new: 0, betweenRenames: 0, cleanedUp: 0 };
    for (let at = 1; at <= calls; at++) {
      restore();
      await expect(buildSite(options(bookDir, out), effects(dyingAt(at).fs)), `call ${at}`).rejects.toThrow(/died at call/);
      const state = snapshot(out);
      if (state === null) {
        // Killed between renaming the old site away and the new one in: the old one waits beside it.
        outcomes.betweenRenames++;
        expect(leftovers(out).filter((name) => name.startsWith('.site.old-')).map((name) => snapshot(join(work, name))), `call ${at}`).toEqual([before]);
      } else if (JSON.stringify(state) === JSON.stringify(before)) {
        outcomes.old++;
      } else {
        expect(state, `call ${at}`).toEqual(after);
        outcomes.new++;
      }
      if (state === null || leftovers(out).length > 0) {
        await buildSite(options(bookDir, out), effects());
        expect(snapshot(out), `call ${at}`).toEqual(after);
        expect(leftovers(out), `call ${at}`).toEqual([]);
        outcomes.cleanedUp++;
      }
    }
    expect(outcomes.old).toBeGreaterThan(0);
    expect(outcomes.new).toBeGreaterThan(0);
    expect(outcomes.betweenRenames).toBe(1);
    expect(outcomes.cleanedUp).toBeGreaterThan(1);
  }, 300_000); // some 65 builds

  it('a folder it may not write beside the site is a readable message, and the old site stays', async () => {
    const bookDir = join(dir, 'denied-book');
    mkdirSync(join(bookDir, 'b'), { recursive: true });
    writeFileSync(join(bookDir, 'b', '00-a.md'), '# A\n');
    const out = join(dir, 'denied', 'site');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'index.html'), 'old');
    const denying: BuildFs = {
      ...fs,
      mkdirSync: ((path: fs.PathLike, options?: fs.MakeDirectoryOptions) => {
        if (String(path).includes('.site.new-')) throw Object.assign(new Error(`EACCES: permission denied, mkdir '${String(path)}'`), { code: 'EACCES' });
        return fs.mkdirSync(path, options);
      }) as BuildFs['mkdirSync'],
    };
    await expect(buildSite(options(bookDir, out), effects(denying))).rejects.toThrow(
      new RegExp(`^cannot write the site ${out}: EACCES: permission denied, mkdir '.*\\.site\\.new-\\d+' \\(the new site is written beside it, in ${join(dir, 'denied')}, then renamed into its place\\)$`),
    );
    expect(snapshot(out)).toEqual({ 'index.html': 'old' });
  });

  it('holds Ctrl-C while the site is swapped, then lets it stop the process', () => {
    const marks = join(dir, 'marks');
    const script = `
      import { writeFileSync } from 'node:fs';
      import { nodeEffects } from ${JSON.stringify(fileURLToPath(new URL('./effects.ts', import.meta.url)))};
      await nodeEffects().holdSignals(() => {
        process.kill(process.pid, 'SIGINT');
        writeFileSync(${JSON.stringify(`${marks}-swapped`)}, '');
      });
      writeFileSync(${JSON.stringify(`${marks}-went-on`)}, '');
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(child.signal).toBe('SIGINT');
    expect(existsSync(`${marks}-swapped`)).toBe(true);
    expect(existsSync(`${marks}-went-on`)).toBe(false);
  });
});
