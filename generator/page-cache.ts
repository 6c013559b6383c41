/**
 * Rendered pages kept between builds, so a page whose Markdown did not change and whose
 * data did not change is not rendered again. An entry's key hashes everything its
 * rendering reads: the generator's version (its bundle), the database's content and the
 * chapter list, the render settings (strict, limits, repository URL, links) and the
 * page's source. A hit is therefore exactly what a fresh render would give, except the
 * footer's "generated at / from commit" line, which is left as a placeholder in the
 * cache and filled in at every build (markdown/stamp.ts).
 *
 * Entries are JSON files in the cache folder (default .cache/book-pages/), written
 * atomically; a page with directive errors is never stored (it is rendered again).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../db/atomic-write.ts';
import { fingerprintFile, sha256, type FileFingerprint } from './launch/fingerprint.mjs';

export interface PageCacheOptions {
  /** Folder holding the entries. */
  dir: string;
  /** Pages rendered by another generator are not reused. */
  generatorVersion: string;
}

/** Entries beyond this many, the ones this build did not use are removed, oldest first. */
const MAX_ENTRIES = 400;
const ENTRY = /^[0-9a-f]{64}\.json$/;
/** Remembered database fingerprints (path → stat and hash), so an unchanged database is not read to be hashed. */
const FINGERPRINTS = 'fingerprints.json';

export class PageCache {
  private readonly used = new Set<string>();

  constructor(private readonly options: PageCacheOptions) {}

  /** The key of an entry made from `parts` (each part unambiguous: joined by NUL after the version). */
  key(parts: string[]): string {
    return sha256([this.options.generatorVersion, ...parts].join('\0'));
  }

  get<T>(key: string): T | undefined {
    try {
      const value = JSON.parse(readFileSync(this.file(key), 'utf8')) as T;
      this.used.add(key);
      return value;
    } catch {
      return undefined; // not cached (or unreadable: rendered again)
    }
  }

  set(key: string, value: unknown): void {
    try {
      mkdirSync(this.options.dir, { recursive: true });
      writeFileAtomic(this.file(key), JSON.stringify(value));
      this.used.add(key);
    } catch {
      // only an optimisation: the next build renders the page again
    }
  }

  /**
   * The database's fingerprint: its content hash, remembered by stat. `read.bytes`
   * receives the content whenever the file was read; `force` reads and hashes it whatever
   * the stat says (the build is about to load it: the key then describes exactly the
   * bytes that are rendered).
   */
  databaseFingerprint(path: string, read: { bytes?: Buffer }, force = false): string {
    const memoFile = join(this.options.dir, FINGERPRINTS);
    let memo: Record<string, FileFingerprint> = {};
    try {
      memo = JSON.parse(readFileSync(memoFile, 'utf8')) as Record<string, FileFingerprint>;
    } catch {
      // none yet
    }
    const known = memo[path];
    const now = fingerprintFile(path, force ? undefined : known, read);
    if (now.sha256 !== known?.sha256 || now.stat !== known?.stat) {
      try {
        mkdirSync(this.options.dir, { recursive: true });
        writeFileAtomic(memoFile, JSON.stringify({ ...memo, [path]: now }));
      } catch {
        // only an optimisation: the next build hashes the file again
      }
    }
    return now.sha256;
  }

  /** Removes entries this build did not use once there are more than MAX_ENTRIES. */
  prune(): void {
    let names: string[];
    try {
      names = readdirSync(this.options.dir).filter((name) => ENTRY.test(name));
    } catch {
      return;
    }
    if (names.length <= MAX_ENTRIES) return;
    const unused = names
      .filter((name) => !this.used.has(name.slice(0, -'.json'.length)))
      .map((name) => ({ name, mtime: mtimeOf(join(this.options.dir, name)) }))
      .sort((a, b) => a.mtime - b.mtime);
    for (const { name } of unused.slice(0, names.length - MAX_ENTRIES)) rmSync(join(this.options.dir, name), { force: true });
  }

  private file(key: string): string {
    return join(this.options.dir, `${key}.json`);
  }
}

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
