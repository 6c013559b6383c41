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

/** A function's place: `file` as described above, `line` 1-based or null when unknown. */
export interface SourcePlace {
  file: string;
  line: number | null;
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

/**
 * A locator that resolves frames through each script's source map (read once per
 * script) and falls back to `classifyFrame` where a script has none.
 */
export function sourceMapLocator(root: string): Locator {
  const maps = new Map<string, ReturnType<typeof loadSourceMap>>();
  const mapOf = (url: string) => {
    if (!maps.has(url)) {
      const path = url.startsWith('file://') ? fileURLToPath(url) : isAbsolute(url) ? url : null;
      maps.set(url, path === null ? null : loadSourceMap(path));
    }
    return maps.get(url)!;
  };
  return (frame) => {
    const loaded = frame.url === '' || frame.lineNumber < 0 ? null : mapOf(frame.url);
    if (!loaded) return classifyFrame(frame, root);
    const entry = loaded.map.findEntry(frame.lineNumber, Math.max(frame.columnNumber, 0));
    if (!('originalSource' in entry)) return classifyFrame(frame, root);
    const source = entry.originalSource.startsWith('file://') ? entry.originalSource : resolve(loaded.base, loaded.sourceRoot, entry.originalSource);
    return { file: classifyPath(source, root), line: entry.originalLine + 1 };
  };
}
