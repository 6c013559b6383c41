/**
 * Finding the book's sources: `<bookDir>/index.md` (the landing page) and one folder
 * per book, `<bookDir>/<book>/*.md`, chapters ordered by file name. Books come in folder
 * order unless `<bookDir>/books.txt` names them (one folder a line, `#` comments): those
 * first, in that order, any other after them.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface SourcePage {
  /** Path of the Markdown file as given (relative to cwd when the book dir is). */
  file: string;
  /** The book folder's name, or null for the landing page / a single --input file. */
  book: string | null;
  /** Output file name without extension: `01-baseline`. */
  name: string;
  /** Output path relative to the site root, with '/' separators: `server/01-baseline.html`. */
  outPath: string;
}

export interface BookSources {
  /** The landing page (index.md), when present. */
  index: SourcePage | null;
  books: { name: string; chapters: SourcePage[] }[];
}

/** Book and chapter names become URLs: keep them to characters that need no escaping. */
/** Optional: the books' order on the landing page and in the menu. */
export const BOOK_ORDER_FILE = 'books.txt';

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function discoverBook(bookDir: string): BookSources {
  if (!existsSync(bookDir) || !statSync(bookDir).isDirectory()) {
    throw new Error(`book folder not found: ${bookDir} (pass --book-dir, or --input <file.md> to build one file)`);
  }
  const indexFile = join(bookDir, 'index.md');
  const index: SourcePage | null = existsSync(indexFile)
    ? { file: indexFile, book: null, name: 'index', outPath: 'index.html' }
    : null;

  const books: BookSources['books'] = [];
  const entries = readdirSync(bookDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && !entry.name.startsWith('_'))
    .map((entry) => entry.name)
    .sort(byCodePoint);
  for (const book of inBookOrder(entries, bookDir)) {
    if (book === 'assets') throw new Error(`${join(bookDir, book)}: "assets" is reserved for the site's own files; rename the book folder`);
    const chapters = readdirSync(join(bookDir, book), { withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith('.md') && !entry.name.startsWith('.') && !entry.name.startsWith('_'))
      .map((entry) => entry.name)
      .sort(byCodePoint)
      .map((fileName) => sourcePage(join(bookDir, book, fileName), book));
    if (chapters.length === 0) continue;
    assertSafeName(book, join(bookDir, book));
    books.push({ name: book, chapters });
  }
  return { index, books };
}

/** The folders in the order books.txt gives (when present); a name it lists must be a folder. */
function inBookOrder(folders: string[], bookDir: string): string[] {
  const orderFile = join(bookDir, BOOK_ORDER_FILE);
  if (!existsSync(orderFile)) return folders;
  const listed: string[] = [];
  readFileSync(orderFile, 'utf8').split('\n').forEach((line, i) => {
    const name = line.replace(/#.*/, '').trim();
    if (name === '') return;
    if (!folders.includes(name)) throw new Error(`${orderFile}:${i + 1}: no book folder named "${name}" (folders: ${folders.join(', ') || 'none'})`);
    listed.push(name);
  });
  return [...new Set(listed), ...folders.filter((folder) => !listed.includes(folder))];
}

/** A single Markdown file built on its own (--input). */
export function singleSource(file: string): SourcePage {
  if (!existsSync(file) || !statSync(file).isFile()) throw new Error(`input file not found: ${file}`);
  const page = sourcePage(file, null);
  return { ...page, outPath: `${page.name}.html` };
}

function sourcePage(file: string, book: string | null): SourcePage {
  const name = basename(file).replace(/\.md$/i, '');
  assertSafeName(name, file);
  return { file, book, name, outPath: book === null ? `${name}.html` : `${book}/${name}.html` };
}

function assertSafeName(name: string, where: string): void {
  if (!SAFE_NAME.test(name)) {
    throw new Error(`${where}: file and folder names of the book become URLs; use letters, digits, '.', '-' and '_' only`);
  }
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
