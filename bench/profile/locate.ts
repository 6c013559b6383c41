/**
 * Where a profiled function lives, as the table shows it: a repo-relative path for the
 * chapter's own code, the package name for anything under node_modules, `node:…` for
 * Node's internals, and V8's categories ('(program)', '(garbage collector)', '(idle)')
 * kept as they are. `classifyFrame` is pure; `sourceMapLocator` reads the bundle's
 * source map (when the build wrote one) so a function in `server/dist/server.mjs` is
 * reported at its original file and line, and express inside the bundle as `express`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CallFrame } from './cpuprofile.ts';

/**
 * A function's place: `file` as described above, `line` 1-based or null when unknown.
 * `bundle` is set when `line` is a line of that bundle and not of `file` (a bundle
 * without a source map, attributed through esbuild's module comments).
 */
export interface SourcePlace {
  file: string;
  line: number | null;
  bundle?: string | null;
}

/** Maps a profile's call frame to the place the table reports. */
export type Locator = (frame: CallFrame) => SourcePlace;

/** V8's pseudo-functions: they are categories of time, not code. */
export const CATEGORIES = ['(root)', '(program)', '(garbage collector)', '(idle)'] as const;

/** The package a path under node_modules belongs to (`express`, `@scope/name`), or null. */
export function packageOf(path: string): string | null {
  const parts = path.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0 || at + 1 >= parts.length) return null;
  const first = parts[at + 1];
  return first.startsWith('@') && at + 2 < parts.length ? `${first}/${parts[at + 2]}` : first;
}

/** A script path or URL as the table names it, `root` being the chapter's tree. */
export function classifyPath(pathOrUrl: string, root: string): string {
  if (pathOrUrl.startsWith('node:')) return pathOrUrl;
  let path = pathOrUrl;
  if (pathOrUrl.startsWith('file://')) path = fileURLToPath(pathOrUrl);
  else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(pathOrUrl)) return pathOrUrl; // wasm://, http:// …
  else if (!isAbsolute(pathOrUrl)) return `node:${pathOrUrl}`; // older Nodes name internals 'internal/…', 'events'
  const pkg = packageOf(path);
  if (pkg !== null) return pkg;
  const rel = relative(root, path);
  if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) return rel.split(sep).join('/');
  return path;
}

/** The place of a frame without source maps. */
export function classifyFrame(frame: CallFrame, root: string): SourcePlace {
  if (frame.url === '') {
    const category = (CATEGORIES as readonly string[]).includes(frame.functionName);
    return { file: category ? frame.functionName : '(native)', line: null };
  }
  return { file: classifyPath(frame.url, root), line: frame.lineNumber >= 0 ? frame.lineNumber + 1 : null };
}

/** A script's source map and the directory its `sources` are relative to, or null. */
function loadSourceMap(scriptPath: string): { map: SourceMap; base: string; sourceRoot: string } | null {
  if (!existsSync(scriptPath)) return null;
  const text = readFileSync(scriptPath, 'utf8');
  const match = /\/\/[#@] sourceMappingURL=(\S+)\s*$/.exec(text.slice(-4096));
  if (!match) return null;
  const ref = match[1];
  let json: string;
  let base = dirname(scriptPath);
  const inline = /^data:application\/json[^,]*?(;base64)?,(.*)$/.exec(ref);
  if (inline) {
    json = inline[1] ? Buffer.from(inline[2], 'base64').toString('utf8') : decodeURIComponent(inline[2]);
  } else {
    const mapPath = ref.startsWith('file://') ? fileURLToPath(ref) : resolve(base, decodeURIComponent(ref));
    if (!existsSync(mapPath)) return null;
    json = readFileSync(mapPath, 'utf8');
    base = dirname(mapPath);
  }
  const payload = JSON.parse(json) as { sourceRoot?: string };
  return { map: new SourceMap(payload as ConstructorParameters<typeof SourceMap>[0]), base, sourceRoot: payload.sourceRoot ?? '' };
}

/** Where each module of a non-minified esbuild bundle starts: its `// path` comment line (1-based) and the path. */
export interface ModuleMarker {
  line: number;
  path: string;
}

/** esbuild's module comment: `// src/search.ts`, `// ../node_modules/ms/index.js` alone on a line. */
const MODULE_COMMENT = /^\/\/ ((?:\.\.\/)*[\w@.+-]+(?:\/[\w@.+-]+)*\.(?:[cm]?[jt]sx?|json))$/;

/** The module markers of a bundle's text, in order (pure). */
export function moduleMarkers(text: string): ModuleMarker[] {
  const markers: ModuleMarker[] = [];
  text.split('\n').forEach((line, i) => {
    const match = MODULE_COMMENT.exec(line.trimEnd());
    if (match) markers.push({ line: i + 1, path: match[1] });
  });
  return markers;
}

/** The marker of the module a 1-based bundle line belongs to: the nearest one at or before it. */
export function markerAt(markers: ModuleMarker[], line: number): ModuleMarker | null {
  let low = 0;
  let high = markers.length - 1;
  let found: ModuleMarker | null = null;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (markers[mid].line <= line) {
      found = markers[mid];
      low = mid + 1;
    } else high = mid - 1;
  }
  return found;
}

/**
 * Directories esbuild's comment paths may be relative to (its working directory, not
 * recorded in the bundle): the bundle's package (nearest package.json), the bundle's
 * directory, the tree.
 */
function commentBases(scriptPath: string, root: string): string[] {
  const bases: string[] = [];
  for (let dir = dirname(scriptPath); ; dir = dirname(dir)) {
    if (existsSync(resolve(dir, 'package.json'))) {
      bases.push(dir);
      break;
    }
    if (dir === dirname(dir) || relative(root, dir).startsWith('..')) break;
  }
  return [...bases, dirname(scriptPath), root];
}

/** A bundle without a source map, read as esbuild's module comments; null when it has none. */
function loadModuleMarkers(scriptPath: string, root: string): ((line: number) => SourcePlace | null) | null {
  // A package's own file is named by its package; its comments are not module markers.
  if (packageOf(scriptPath) !== null || !existsSync(scriptPath)) return null;
  const markers = moduleMarkers(readFileSync(scriptPath, 'utf8'));
  if (markers.length === 0) return null;
  const bases = commentBases(scriptPath, root);
  const bundle = classifyPath(scriptPath, root);
  const files = new Map<string, string>();
  const fileOf = (path: string): string => {
    if (!files.has(path)) {
      const resolved = bases.map((base) => resolve(base, path)).find((candidate) => existsSync(candidate)) ?? resolve(bases[0], path);
      files.set(path, classifyPath(resolved, root));
    }
    return files.get(path)!;
  };
  return (line) => {
    const marker = markerAt(markers, line);
    return marker === null ? null : { file: fileOf(marker.path), line, bundle };
  };
}

/**
 * A locator that resolves frames through each script's source map (read once per
 * script); a bundle without one through esbuild's module comments (the module's file or
 * package, the bundle's line kept); otherwise `classifyFrame`.
 */
export function sourceMapLocator(root: string): Locator {
  const maps = new Map<string, ReturnType<typeof loadSourceMap>>();
  const bundles = new Map<string, ReturnType<typeof loadModuleMarkers>>();
  const pathOf = (url: string) => (url.startsWith('file://') ? fileURLToPath(url) : isAbsolute(url) ? url : null);
  const mapOf = (url: string) => {
    if (!maps.has(url)) {
      const path = pathOf(url);
      maps.set(url, path === null ? null : loadSourceMap(path));
    }
    return maps.get(url)!;
  };
  const markersOf = (url: string) => {
    if (!bundles.has(url)) {
      const path = pathOf(url);
      bundles.set(url, path === null ? null : loadModuleMarkers(path, root));
    }
    return bundles.get(url)!;
  };
  return (frame) => {
    const loaded = frame.url === '' || frame.lineNumber < 0 ? null : mapOf(frame.url);
    if (!loaded) return (frame.url === '' || frame.lineNumber < 0 ? null : markersOf(frame.url)?.(frame.lineNumber + 1)) ?? classifyFrame(frame, root);
    const entry = loaded.map.findEntry(frame.lineNumber, Math.max(frame.columnNumber, 0));
    if (!('originalSource' in entry)) return classifyFrame(frame, root);
    const source = entry.originalSource.startsWith('file://') ? entry.originalSource : resolve(loaded.base, loaded.sourceRoot, entry.originalSource);
    return { file: classifyPath(source, root), line: entry.originalLine + 1 };
  };
}
