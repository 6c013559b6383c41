/**
 * The chapter list: data/chapters.json, the repository's record of which commit
 * each chapter of the book is (git tags alone may not survive a clone).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Database } from 'sql.js';

export interface Experiment {
  /** Short name, e.g. "shed-100"; runs of it are stored with this `experiment`. */
  name: string;
  /** Extra arguments appended to the chapter contract's start command. */
  args?: string[];
  /** Extra environment for the server process. */
  env?: Record<string, string>;
  /** A kernel limit: at most this many open connections to the server's port (iptables connlimit; root only, else not run). */
  connlimit?: number;
}

export interface Chapter {
  number: number;
  tag: string;
  /** Full 40-hex commit id on main. */
  commit: string;
  title: string;
  technique: string;
  summary: string;
  experiments?: Experiment[];
}

export interface CommitInfo {
  message: string;
  author: string;
  /** The committer date, strict ISO 8601 (see COMMIT_FORMAT). */
  date: string;
}

/**
 * Hash, subject, author name and committer date (`%cI`), NUL-separated. The committer
 * date, not the author date: a chapter's date is when its commit landed on main (after
 * any rebase or cherry-pick), which is the order the chapters are read in; the author
 * date can predate the chapter before it. This is the one place `chapters.committed_at`
 * comes from, for the bench and the generator alike.
 */
const COMMIT_FORMAT = '%H%x00%s%x00%an%x00%cI';

/**
 * What git says about each of `commits` in `repoDir`, in one git call. Commits the
 * repository lacks (e.g. a shallow clone) are absent from the map; a directory that is
 * not a checkout throws.
 */
/** Every chapter's commit details; a commit missing from the repository is an error that says what to do. */
export function chapterCommitDetails(repoDir: string, chapters: Chapter[]): Map<string, CommitInfo> {
  const details = readCommitDetails(repoDir, chapters.map((c) => c.commit));
  const missing = chapters.find((c) => !details.has(c.commit));
  if (missing) throw new Error(`chapter ${missing.tag}: commit ${missing.commit} (data/chapters.json) is not in ${repoDir}; fetch it first`);
  return details;
}

export function readCommitDetails(repoDir: string, commits: string[]): Map<string, CommitInfo> {
  const details = new Map<string, CommitInfo>();
  if (commits.length === 0) return details;
  const output = execFileSync('git', ['show', '--no-patch', '--no-walk', '--ignore-missing', `--format=${COMMIT_FORMAT}`, ...commits], {
    cwd: repoDir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 10_000,
  });
  for (const line of output.split('\n')) {
    const [hash, message, author, date] = line.split('\0');
    if (hash && date) details.set(hash, { message, author, date });
  }
  return details;
}

/** Parses and validates the chapter list; errors name the file and the entry. */
export function parseChapterList(text: string, file = 'data/chapters.json'): Chapter[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  const list = (parsed as { chapters?: unknown })?.chapters;
  if (!Array.isArray(list)) throw new Error(`${file}: expected {"chapters": [...]}`);
  const seenTags = new Set<string>();
  const seenNumbers = new Set<number>();
  return list.map((entry, index) => {
    const where = `${file}: chapters[${index}]`;
    const e = entry as Record<string, unknown>;
    for (const key of ['tag', 'commit', 'title', 'technique', 'summary'] as const) {
      if (typeof e[key] !== 'string' || (e[key] as string).length === 0) throw new Error(`${where}: "${key}" must be a non-empty string`);
    }
    if (!Number.isInteger(e.number) || (e.number as number) < 1) throw new Error(`${where}: "number" must be a positive integer`);
    if (!/^[0-9a-f]{40}$/.test(e.commit as string)) throw new Error(`${where}: "commit" must be a full 40-hex commit id`);
    if (seenTags.has(e.tag as string)) throw new Error(`${where}: duplicate tag ${e.tag as string}`);
    if (seenNumbers.has(e.number as number)) throw new Error(`${where}: duplicate chapter number ${e.number as number}`);
    seenTags.add(e.tag as string);
    seenNumbers.add(e.number as number);
    if (e.experiments !== undefined && !Array.isArray(e.experiments)) throw new Error(`${where}: "experiments" must be an array`);
    ((e.experiments ?? []) as Record<string, unknown>[]).forEach((experiment, i) => checkExperiment(experiment, `${where}.experiments[${i}]`));
    return e as unknown as Chapter;
  }).sort((a, b) => a.number - b.number);
}

function checkExperiment(e: Record<string, unknown>, where: string): void {
  if (typeof e !== 'object' || e === null || typeof e.name !== 'string' || e.name.length === 0) throw new Error(`${where}: "name" must be a non-empty string`);
  if (e.connlimit !== undefined && (!Number.isInteger(e.connlimit) || (e.connlimit as number) < 1)) throw new Error(`${where}: "connlimit" must be a positive integer (open connections allowed)`);
}

export function readChapterList(file: string): Chapter[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the chapter list ${file}: ${(error as Error).message}`);
  }
  return parseChapterList(text, file);
}

/**
 * Mirrors the chapter list into the `chapters` table: the list is the authority,
 * so chapters no longer listed are removed. Commit details, when given, are kept;
 * when not given, what the database already knew is kept.
 */
export function syncChapters(db: Database, chapters: Chapter[], commits: Map<string, CommitInfo> = new Map()): void {
  db.run('BEGIN');
  try {
    const tags = chapters.map((c) => c.tag);
    db.run(`DELETE FROM chapters WHERE tag NOT IN (${tags.map(() => '?').join(',') || "''"})`, tags);
    for (const c of chapters) {
      const info = commits.get(c.commit);
      db.run(
        `INSERT INTO chapters(tag, chapter_number, title, technique, summary, commit_hash, commit_message, commit_author, committed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(tag) DO UPDATE SET
           chapter_number = excluded.chapter_number, title = excluded.title, technique = excluded.technique,
           summary = excluded.summary,
           commit_message = CASE WHEN excluded.commit_hash = chapters.commit_hash THEN COALESCE(excluded.commit_message, chapters.commit_message) ELSE excluded.commit_message END,
           commit_author  = CASE WHEN excluded.commit_hash = chapters.commit_hash THEN COALESCE(excluded.commit_author, chapters.commit_author) ELSE excluded.commit_author END,
           committed_at   = CASE WHEN excluded.commit_hash = chapters.commit_hash THEN COALESCE(excluded.committed_at, chapters.committed_at) ELSE excluded.committed_at END,
           commit_hash = excluded.commit_hash`,
        [c.tag, c.number, c.title, c.technique, c.summary, c.commit, info?.message ?? null, info?.author ?? null, info?.date ?? null],
      );
    }
    db.run('COMMIT');
  } catch (error) {
    db.run('ROLLBACK');
    throw error;
  }
}
