/**
 * The database a build renders from, as the query thread opens it: the file's bytes in
 * memory (never saved back), its schema brought up to date, and the chapter list synced
 * in, so chapters that are listed but not measured yet still exist for the book.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabaseBytes, queryRows, type Database } from '../../db/database.ts';
import { readChapterList, readCommitDetails, syncChapters, type Chapter, type CommitInfo } from '../../db/chapters.ts';
import { writeFileAtomic } from '../../db/atomic-write.ts';

export interface BookDatabaseSource {
  /** The database file's content. */
  bytes: Uint8Array;
  /** Its path, for messages. */
  label: string;
  /** The chapter list (data/chapters.json); skipped when absent or the file does not exist. */
  chapters?: string;
  /** Where git is asked about chapter commits the database does not know. */
  repoDir: string;
}

export async function openBookDatabase(source: BookDatabaseSource): Promise<Database> {
  const db = await openDatabaseBytes(source.bytes, source.label);
  try {
    if (source.chapters !== undefined && existsSync(source.chapters)) {
      const chapters = readChapterList(source.chapters);
      const known = new Set(
        queryRows(db, 'SELECT commit_hash FROM chapters WHERE commit_message IS NOT NULL').map((row) => String(row.commit_hash)),
      );
      syncChapters(db, chapters, commitInfo(chapters.filter((c) => !known.has(c.commit)), source.repoDir));
    }
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** Commits never change, so what git said about them is kept here between builds. */
// Named for its date: caches of the author date (before the bench and the book agreed on %cI) are not read.
const COMMIT_CACHE = fileURLToPath(new URL('../../.cache/book-commits-committer-date.json', import.meta.url));

/**
 * Message, author and date of each chapter's commit the database does not know yet:
 * from the cache, else from one git call. Empty outside a checkout.
 */
function commitInfo(chapters: Chapter[], repoDir: string): Map<string, CommitInfo> {
  const info = new Map<string, CommitInfo>();
  if (chapters.length === 0) return info;
  let cache: Record<string, CommitInfo> = {};
  try {
    cache = JSON.parse(readFileSync(COMMIT_CACHE, 'utf8')) as Record<string, CommitInfo>;
  } catch {
    // no cache yet
  }
  const missing = chapters.map((c) => c.commit).filter((hash) => !cache[hash]);
  if (missing.length > 0) {
    try {
      for (const [hash, details] of readCommitDetails(repoDir, missing)) cache[hash] = details;
      mkdirSync(dirname(COMMIT_CACHE), { recursive: true });
      writeFileAtomic(COMMIT_CACHE, JSON.stringify(cache));
    } catch {
      // Not a checkout: what the database knows is kept. (Commits a shallow clone lacks are simply not found.)
    }
  }
  for (const chapter of chapters) if (cache[chapter.commit]) info.set(chapter.commit, cache[chapter.commit]);
  return info;
}
