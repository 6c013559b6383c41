/**
 * Chapter tags from the chapter list. Tags do not always travel with a clone
 * (`git clone --no-tags`, shallow CI checkouts, forks), but data/chapters.json
 * does: this recreates each missing tag at its recorded commit so
 * `git checkout v1-baseline` works, and reports a tag that points elsewhere
 * instead of moving it (a moved tag would silently change a chapter).
 */
import { resolve } from 'node:path';
import { simpleGit } from 'simple-git';
import type { Chapter } from '../../db/chapters.ts';
import { resolveCommit } from './commit.ts';

export interface TagMismatch {
  tag: string;
  /** Commit the existing tag points at. */
  tagged: string;
  /** Commit data/chapters.json records. */
  listed: string;
}

export interface TagRestoreResult {
  created: string[];
  present: string[];
  mismatched: TagMismatch[];
  /** Chapters whose commit is not in this clone (fetch it first). */
  missingCommits: string[];
}

export async function restoreChapterTags(repoDir: string, chapters: Chapter[]): Promise<TagRestoreResult> {
  const git = simpleGit(resolve(repoDir));
  const result: TagRestoreResult = { created: [], present: [], mismatched: [], missingCommits: [] };
  for (const chapter of chapters) {
    const tagged = await resolveCommit(repoDir, `refs/tags/${chapter.tag}`);
    if (tagged === chapter.commit) {
      result.present.push(chapter.tag);
      continue;
    }
    if (tagged !== null) {
      result.mismatched.push({ tag: chapter.tag, tagged, listed: chapter.commit });
      continue;
    }
    if ((await resolveCommit(repoDir, chapter.commit)) === null) {
      result.missingCommits.push(chapter.tag);
      continue;
    }
    // Lightweight, like the chapter tags made by `git tag <name>` in the README.
    await git.raw(['tag', chapter.tag, chapter.commit]);
    result.created.push(chapter.tag);
  }
  return result;
}

/** A human report of a restore; `ok` is false when a tag or commit needs attention. */
export function describeTagRestore(result: TagRestoreResult): { ok: boolean; text: string } {
  const lines: string[] = [];
  if (result.created.length > 0) lines.push(`created ${result.created.join(', ')} at the commits recorded in data/chapters.json`);
  if (result.present.length > 0) lines.push(`already present: ${result.present.join(', ')}`);
  for (const m of result.mismatched) {
    lines.push(`tag ${m.tag} points at ${m.tagged.slice(0, 12)} but data/chapters.json records ${m.listed.slice(0, 12)}; left as it is (fix the tag or the list)`);
  }
  if (result.missingCommits.length > 0) {
    lines.push(`commit not in this clone for ${result.missingCommits.join(', ')} (git fetch --unshallow, or fetch main)`);
  }
  return { ok: result.mismatched.length === 0 && result.missingCommits.length === 0, text: lines.map((l) => `bench: ${l}\n`).join('') };
}
