/**
 * The client script, bundled by esbuild (IIFE with chart.js) and cached in .cache/:
 * bundling costs far more than the rest of a build, and the sources rarely change.
 * The cache key is a hash of the client sources and the chart.js and esbuild versions.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { writeFileAtomic } from '../db/atomic-write.ts';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const CLIENT_DIR = fileURLToPath(new URL('./client/', import.meta.url));
const ENTRY = join(CLIENT_DIR, 'book.ts');
const DEFAULT_CACHE_DIR = fileURLToPath(new URL('../.cache/', import.meta.url));

export interface ClientBundle {
  code: string;
  /** True when esbuild ran in this call (false: served from the cache). */
  built: boolean;
}

export async function clientBundle(cacheDir = DEFAULT_CACHE_DIR): Promise<ClientBundle> {
  const key = bundleKey();
  const cached = join(cacheDir, `book-client-${key}.js`);
  try {
    return { code: readFileSync(cached, 'utf8'), built: false };
  } catch {
    // not cached yet
  }
  // require, not import(): the generator runs as a CommonJS bundle (generator-bundle.ts).
  const esbuild = require('esbuild') as typeof import('esbuild');
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'iife', // classic script: Chromium refuses module scripts from file://
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
    banner: { js: '/* The book client script: chart.js (MIT) — bundled by generator/client-bundle.ts */' },
  });
  const code = result.outputFiles[0].text;
  mkdirSync(cacheDir, { recursive: true });
  // Atomic: concurrent builds never read a half-written bundle.
  writeFileAtomic(cached, code);
  removeOldBundles(cacheDir, cached);
  return { code, built: true };
}

/** Bundles of earlier client sources (kept a minute, in case a concurrent build still reads one). */
function removeOldBundles(cacheDir: string, current: string): void {
  for (const name of readdirSync(cacheDir)) {
    const file = join(cacheDir, name);
    if (!/^book-client-[0-9a-f]{16}\.js$/.test(name) || file === current) continue;
    try {
      if (Date.now() - statSync(file).mtimeMs > 60_000) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  }
}

function bundleKey(): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(CLIENT_DIR).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts')).sort()) {
    hash.update(name).update('\0').update(readFileSync(join(CLIENT_DIR, name))).update('\0');
  }
  hash.update(`chart.js@${packageVersion('chart.js')}\0esbuild@${packageVersion('esbuild')}`);
  return hash.digest('hex').slice(0, 16);
}

/** The installed version of a package, found from its resolved entry (its exports hide package.json). */
function packageVersion(name: string): string {
  let dir = dirname(require.resolve(name));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === name && pkg.version) return pkg.version;
    } catch {
      // keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the version of ${name}`);
    dir = parent;
  }
}
