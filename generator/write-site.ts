/**
 * The site is swapped in whole: the new one is written into a sibling folder
 * (`.<out>.new-<pid>`), then the old one is renamed away and the new one renamed into
 * its place, with Ctrl-C held for those two renames. Interrupted at any moment, the
 * output folder is the old site or the new one, never a mix; what an interrupted build
 * left beside it is cleaned up (or, if it died between the renames, the old site put
 * back) by the next build.
 *
 * What the old site holds that no build wrote (a CNAME…) is carried over; a file that did
 * not change is carried as a hard link, so its mtime stays meaningful. Old pages are
 * not: those listed in the manifest of the build that wrote them, and any *.html at the
 * top or one folder down.
 */
import { basename, dirname, join, relative, sep } from 'node:path';
import type { BuildEffects, BuildFs } from './effects.ts';

export type SiteFiles = Map<string, string | { copyFrom: string }>;

/** Records what a build wrote, so the next build leaves exactly its own old files behind. */
const MANIFEST = '.book-files.json';

/** The folder the new site is written into; `extra` names files added to it later (the PDFs). */
export function stageSite(outDir: string, files: SiteFiles, effects: BuildEffects): string {
  const { fs } = effects;
  cleanLeftovers(outDir, effects);
  const staging = sibling(outDir, 'new', process.pid);
  fs.mkdirSync(staging, { recursive: true });
  if (fs.existsSync(outDir)) {
    const dropped = new Set([...readManifest(outDir, fs), ...oldPages(outDir, fs), MANIFEST]);
    for (const path of listFiles(outDir, fs)) {
      if (!files.has(path) && !dropped.has(path)) carry(join(outDir, path), join(staging, path), fs);
    }
  }
  for (const [path, content] of files) {
    const target = join(staging, path);
    const previous = join(outDir, path);
    fs.mkdirSync(dirname(target), { recursive: true });
    if (typeof content === 'string') {
      if (sameText(previous, content, fs)) carry(previous, target, fs);
      else fs.writeFileSync(target, content);
    } else if (sameCopy(content.copyFrom, previous, fs)) {
      carry(previous, target, fs);
    } else {
      fs.copyFileSync(content.copyFrom, target);
    }
  }
  return staging;
}

/** Writes the manifest of the staged site: every file this build wrote, `extra` included. */
export function finishStaging(staging: string, files: SiteFiles, extra: string[], fs: BuildFs): void {
  fs.writeFileSync(join(staging, MANIFEST), `${JSON.stringify([...files.keys(), ...extra].sort(), null, 1)}\n`);
}

/** Puts the staged site in place of the old one; the old one is removed afterwards. */
export async function swapIn(staging: string, outDir: string, effects: BuildEffects): Promise<void> {
  const { fs } = effects;
  const old = sibling(outDir, 'old', process.pid);
  await effects.holdSignals(() => {
    const hadOld = fs.existsSync(outDir);
    if (hadOld) fs.renameSync(outDir, old);
    try {
      fs.renameSync(staging, outDir);
    } catch (error) {
      if (hadOld) fs.renameSync(old, outDir);
      throw error;
    }
  });
  fs.rmSync(old, { recursive: true, force: true });
}

/** Removes a staged site that will not be swapped in (the build failed). */
export function discardStaging(staging: string, fs: BuildFs): void {
  fs.rmSync(staging, { recursive: true, force: true });
}

/**
 * Folders left beside the output by a build that did not finish (its process is gone):
 * a staged site is removed; an old site is put back if the output is missing (the build
 * died between the two renames), else removed.
 */
function cleanLeftovers(outDir: string, effects: BuildEffects): void {
  const { fs } = effects;
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(outDir))}\\.(new|old)-(\\d+)$`);
  let entries: string[];
  try {
    entries = fs.readdirSync(dirname(outDir));
  } catch {
    return; // the parent does not exist yet
  }
  for (const name of entries) {
    const match = pattern.exec(name);
    if (!match || (Number(match[2]) !== process.pid && effects.isRunning(Number(match[2])))) continue;
    const path = join(dirname(outDir), name);
    if (match[1] === 'old' && !fs.existsSync(outDir)) fs.renameSync(path, outDir);
    else fs.rmSync(path, { recursive: true, force: true });
  }
}

function sibling(outDir: string, kind: 'new' | 'old', pid: number): string {
  return join(dirname(outDir), `.${basename(outDir)}.${kind}-${pid}`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A hard link to the old file (same content, same mtime), else a copy; a symbolic link stays one. */
function carry(from: string, to: string, fs: BuildFs): void {
  fs.mkdirSync(dirname(to), { recursive: true });
  if (fs.lstatSync(from).isSymbolicLink()) {
    fs.symlinkSync(fs.readlinkSync(from), to);
    return;
  }
  try {
    fs.linkSync(from, to);
  } catch {
    fs.copyFileSync(from, to);
  }
}

/** Every file and symbolic link under `dir`, as `/`-separated relative paths. */
function listFiles(dir: string, fs: BuildFs, prefix = ''): string[] {
  const paths: string[] = [];
  for (const entry of fs.readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) paths.push(...listFiles(dir, fs, path));
    else if (entry.isFile() || entry.isSymbolicLink()) paths.push(path);
  }
  return paths;
}

function sameText(file: string, content: string, fs: BuildFs): boolean {
  try {
    return fs.statSync(file).size === Buffer.byteLength(content) && fs.readFileSync(file, 'utf8') === content;
  } catch {
    return false;
  }
}

/** A copy made by an earlier build: same size, and not older than its source. */
function sameCopy(source: string, copy: string, fs: BuildFs): boolean {
  try {
    const [from, to] = [fs.statSync(source), fs.statSync(copy)];
    return from.size === to.size && to.mtimeMs >= from.mtimeMs;
  } catch {
    return false;
  }
}

function readManifest(outDir: string, fs: BuildFs): string[] {
  try {
    const list = JSON.parse(fs.readFileSync(join(outDir, MANIFEST), 'utf8')) as unknown;
    return Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : [];
  } catch {
    return [];
  }
}

/** *.html at the output root and one folder down (where book pages live). */
function oldPages(outDir: string, fs: BuildFs): string[] {
  const pages: string[] = [];
  for (const entry of fs.readdirSync(outDir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.html')) pages.push(entry.name);
    else if (entry.isDirectory() && !entry.name.startsWith('.')) {
      for (const inner of fs.readdirSync(join(outDir, entry.name), { withFileTypes: true })) {
        if (inner.isFile() && inner.name.endsWith('.html')) pages.push(`${entry.name}/${inner.name}`);
      }
    }
  }
  return pages;
}

export function isInside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && !rel.includes(`..${sep}`);
}
