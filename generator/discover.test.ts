import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverBook, singleSource } from './discover.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'book-discover-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function touch(path: string): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), '# x\n');
}

describe('discoverBook', () => {
  it('finds the landing page and each book folder with its chapters in file-name order', () => {
    for (const file of ['index.md', 'server/01-baseline.md', 'server/00-preface.md', 'server/10-scaling.md', 'server/02-index.md', 'client/00-intro.md', 'server/notes.txt', 'server/_draft.md', '.hidden/00-x.md', 'empty/readme.txt']) touch(file);
    const found = discoverBook(dir);
    expect(found.index).toEqual({ file: join(dir, 'index.md'), book: null, name: 'index', outPath: 'index.html' });
    expect(found.books.map((b) => b.name)).toEqual(['client', 'server']);
    const server = found.books[1];
    expect(server.chapters.map((c) => c.outPath)).toEqual(['server/00-preface.html', 'server/01-baseline.html', 'server/02-index.html', 'server/10-scaling.html']);
    expect(server.chapters[0]).toEqual({ file: join(dir, 'server', '00-preface.md'), book: 'server', name: '00-preface', outPath: 'server/00-preface.html' });
  });

  it('puts the books books.txt names first, in its order, the others after in folder order', () => {
    for (const file of ['server/00.md', 'generator/00.md', 'client/00.md']) touch(file);
    writeFileSync(join(dir, 'books.txt'), '# reading order\nserver\n\ngenerator  # the manual\n');
    expect(discoverBook(dir).books.map((b) => b.name)).toEqual(['server', 'generator', 'client']);
    writeFileSync(join(dir, 'books.txt'), 'server\nmanual\n');
    expect(() => discoverBook(dir)).toThrow(/books\.txt:2: no book folder named "manual" \(folders: client, generator, server\)/);
  });

  it('works without a landing page', () => {
    touch('a/00.md');
    expect(discoverBook(dir).index).toBeNull();
  });

  it('rejects a missing folder, reserved and URL-unsafe names with the path', () => {
    expect(() => discoverBook(join(dir, 'nope'))).toThrow(/book folder not found: .*nope/);
    touch('assets/00.md');
    expect(() => discoverBook(dir)).toThrow(/"assets" is reserved/);
    rmSync(join(dir, 'assets'), { recursive: true });
    touch('server/01 the baseline.md');
    expect(() => discoverBook(dir)).toThrow(/01 the baseline\.md: file and folder names of the book become URLs/);
  });
});

describe('singleSource', () => {
  it('puts a lone file at the output root', () => {
    touch('elsewhere/kraft-book.md');
    expect(singleSource(join(dir, 'elsewhere', 'kraft-book.md'))).toMatchObject({ book: null, name: 'kraft-book', outPath: 'kraft-book.html' });
    expect(() => singleSource(join(dir, 'missing.md'))).toThrow(/input file not found/);
  });
});
