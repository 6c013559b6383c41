// @ts-check
/**
 * Content hashes of files, remembered by their stat so an unchanged file is not read
 * again: the bundle's freshness check (bundle.mjs) and the page cache's database key
 * (generator/page-cache.ts) both ask "did this file's content change?" on every build.
 *
 * A remembered hash is trusted only while size, mtime and inode are the same, and only
 * when the file had not been modified within the last seconds before it was hashed
 * (git's "racily clean" rule): a write in the same clock tick as the hashing would
 * otherwise leave the stat unchanged while the content differs.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

/** Modified this recently before hashing: the stat may not tell a later write apart. */
const RACY_MS = 3000;

/**
 * @typedef {object} FileFingerprint
 * @property {string} sha256 hex digest of the content
 * @property {string | null} stat size:mtime:inode when it may stand for the content; null when hashed too soon after a write
 */

/** @param {import('node:fs').BigIntStats} stats */
function statKey(stats) {
  return `${stats.size}:${stats.mtimeNs}:${stats.ino}`;
}

/**
 * The file's fingerprint: `known` reused when the stat still matches, else the content hashed.
 * `bytes`, when given, receives the content whenever the file had to be read.
 * @param {string} path
 * @param {FileFingerprint | undefined} known
 * @param {{ bytes?: Buffer }} [read]
 * @returns {FileFingerprint}
 */
export function fingerprintFile(path, known, read) {
  const before = statSync(path, { bigint: true });
  if (known?.stat && known.stat === statKey(before)) return known;
  const hashedAt = Date.now();
  const bytes = readFileSync(path);
  if (read) read.bytes = bytes;
  const after = statSync(path, { bigint: true });
  const settled = statKey(after) === statKey(before) && hashedAt - Number(after.mtimeMs) > RACY_MS;
  return { sha256: sha256(bytes), stat: settled ? statKey(after) : null };
}

/** @param {string | Uint8Array} data */
export function sha256(data) {
  return createHash('sha256').update(data).digest('hex');
}
