import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyFrame, classifyPath, packageOf, sourceMapLocator } from './locate.ts';
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
