import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyFrame, classifyPath, markerAt, moduleMarkers, packageOf, sourceMapLocator } from './locate.ts';
import { frame } from './testing.ts';

describe('packageOf', () => {
  it('names the innermost package, scoped ones with their scope', () => {
    expect(packageOf('/t/node_modules/express/lib/router/index.js')).toBe('express');
    expect(packageOf('/t/node_modules/@scope/pkg/index.js')).toBe('@scope/pkg');
    expect(packageOf('/t/node_modules/a/node_modules/b/x.js')).toBe('b');
    expect(packageOf('/t/src/app.js')).toBeNull();
  });
});

describe('classifyPath', () => {
  it('keeps node: URLs and prefixes the old bare internal names', () => {
    expect(classifyPath('node:internal/http/server', '/repo')).toBe('node:internal/http/server');
    expect(classifyPath('internal/streams/writable', '/repo')).toBe('node:internal/streams/writable');
  });

  it('makes the tree own files relative and leaves others absolute', () => {
    expect(classifyPath('file:///repo/server/dist/server.mjs', '/repo')).toBe('server/dist/server.mjs');
    expect(classifyPath('/elsewhere/x.js', '/repo')).toBe('/elsewhere/x.js');
    expect(classifyPath('file:///repo/node_modules/uuid/dist/index.js', '/repo')).toBe('uuid');
    expect(classifyPath('wasm://wasm/abc', '/repo')).toBe('wasm://wasm/abc');
  });
});

describe('classifyFrame', () => {
  it('keeps categories, calls url-less code native and reports 1-based lines', () => {
    expect(classifyFrame(frame('(garbage collector)'), '/repo')).toEqual({ file: '(garbage collector)', line: null });
    expect(classifyFrame(frame('writev'), '/repo')).toEqual({ file: '(native)', line: null });
    expect(classifyFrame(frame('f', 'file:///repo/a.js', 0), '/repo')).toEqual({ file: 'a.js', line: 1 });
  });
});

describe('sourceMapLocator', () => {
  const root = mkdtempSync(join(tmpdir(), 'profile-locate-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'src'));
  mkdirSync(join(root, 'node_modules', 'leftpad'), { recursive: true });
  writeFileSync(join(root, 'node_modules', 'leftpad', 'index.js'), 'export function leftPad(s, n) {\n  return String(s).padStart(n);\n}\n');
  writeFileSync(join(root, 'src', 'main.ts'), "import { leftPad } from 'leftpad';\n\nexport function searchEvents(q: string): string {\n  return leftPad(q, 10);\n}\nconsole.log(searchEvents('x'));\n");
  const bundle = join(root, 'dist', 'server.mjs');
  buildSync({ entryPoints: [join(root, 'src', 'main.ts')], bundle: true, format: 'esm', platform: 'node', outfile: bundle, sourcemap: true, logLevel: 'silent' });
  const lines = readFileSync(bundle, 'utf8').split('\n');
  /** The bundle frame of `function <name>` as V8 reports it: 0-based line, column at the '(' after the name. */
  const frameOf = (name: string) => {
    const line = lines.findIndex((l) => l.includes(`function ${name}(`));
    return { ...frame(name, pathToFileURL(bundle).href, line), columnNumber: lines[line].indexOf(`function ${name}(`) + `function ${name}`.length };
  };

  it('maps bundled functions back to their source file and line, packages by name', () => {
    const locate = sourceMapLocator(root);
    expect(locate(frameOf('searchEvents'))).toEqual({ file: 'src/main.ts', line: 3 });
    expect(locate(frameOf('leftPad'))).toEqual({ file: 'leftpad', line: 1 });
  });

  it('falls back to the script itself when it has no source map', () => {
    const plain = join(root, 'plain.js');
    writeFileSync(plain, 'function f() {}\n');
    expect(sourceMapLocator(root)(frame('f', pathToFileURL(plain).href, 0))).toEqual({ file: 'plain.js', line: 1 });
    expect(sourceMapLocator(root)(frame('g', pathToFileURL(join(root, 'gone.js')).href, 4))).toEqual({ file: 'gone.js', line: 5 });
  });
});

describe('a bundle without a source map (esbuild module comments)', () => {
  const root = mkdtempSync(join(tmpdir(), 'profile-bundle-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  // Laid out like the repository: a server package whose build runs in server/, dependencies hoisted to the root.
  const server = join(root, 'server');
  mkdirSync(join(server, 'src'), { recursive: true });
  mkdirSync(join(root, 'node_modules', 'leftpad'), { recursive: true });
  writeFileSync(join(server, 'package.json'), '{"name":"server","type":"module"}');
  writeFileSync(join(root, 'node_modules', 'leftpad', 'package.json'), '{"name":"leftpad","main":"index.js"}');
  writeFileSync(join(root, 'node_modules', 'leftpad', 'index.js'), 'module.exports = function leftPad(s, n) {\n  return String(s).padStart(n);\n};\n');
  writeFileSync(join(server, 'src', 'search.ts'), "import leftPad from 'leftpad';\n\nexport function searchEvents(q: string): string {\n  return leftPad(q, 10);\n}\n");
  writeFileSync(join(server, 'src', 'main.ts'), "import { searchEvents } from './search.ts';\n\nfunction main(): void {\n  console.log(searchEvents('x'));\n}\nmain();\n");
  const bundle = join(server, 'dist', 'server.mjs');
  // As server/package.json builds it: bundled, not minified, no source map, run from server/.
  buildSync({ entryPoints: ['src/main.ts'], absWorkingDir: server, bundle: true, format: 'esm', platform: 'node', outfile: 'dist/server.mjs', logLevel: 'silent' });
  const text = readFileSync(bundle, 'utf8');
  const lines = text.split('\n');
  const lineOf = (needle: string) => lines.findIndex((l) => l.includes(needle));
  const frameAt = (name: string, needle: string) => frame(name, pathToFileURL(bundle).href, lineOf(needle));

  it('finds the module comments esbuild writes', () => {
    expect(moduleMarkers(text).map((m) => m.path)).toEqual(['../node_modules/leftpad/index.js', 'src/search.ts', 'src/main.ts']);
    expect(markerAt([{ line: 3, path: 'a' }, { line: 9, path: 'b' }], 2)).toBeNull();
    expect(markerAt([{ line: 3, path: 'a' }, { line: 9, path: 'b' }], 3)?.path).toBe('a');
    expect(markerAt([{ line: 3, path: 'a' }, { line: 9, path: 'b' }], 100)?.path).toBe('b');
  });

  it('names a bundle line by its module: the tree-relative file or the package, the bundle line kept', () => {
    const locate = sourceMapLocator(root);
    const bundleName = 'server/dist/server.mjs';
    const search = lineOf('function searchEvents(');
    expect(locate(frameAt('searchEvents', 'function searchEvents('))).toEqual({ file: 'server/src/search.ts', line: search + 1, bundle: bundleName });
    expect(locate(frameAt('main', 'function main('))).toEqual({ file: 'server/src/main.ts', line: lineOf('function main(') + 1, bundle: bundleName });
    // (esbuild renames it leftPad2: a name taken in the bundle's scope)
    expect(lineOf('function leftPad')).toBeGreaterThan(0);
    expect(locate(frameAt('leftPad2', 'function leftPad'))).toEqual({ file: 'leftpad', line: lineOf('function leftPad') + 1, bundle: bundleName });
    // esbuild's own helpers before the first module stay the bundle's.
    expect(locate(frame('__commonJS', pathToFileURL(bundle).href, 0))).toEqual({ file: bundleName, line: 1 });
  });
});
