/**
 * Starting the generator fast enough to run on every save. Loaded from its TypeScript
 * sources through tsx, the generator and its few hundred unified/remark/highlight.js
 * modules take over a second just to import (tsx transforms every module it loads, even
 * an already bundled one). So the generator is bundled by esbuild into one CommonJS file,
 * cached in .cache/ (keyed by a hash of the sources and package-lock.json), and compiled
 * with node:vm, which no loader hook sees, together with V8's code cache for it: well
 * under 0.1 s. Set BOOK_FROM_SOURCES=1 to run from the sources instead.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { writeFileAtomic } from '../db/atomic-write.ts';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { constants, Script } from 'node:vm';
import { WORKER_BUNDLE_VARIABLE } from './query-worker/protocol.ts';

export interface GeneratorModule {
  main(argv: string[]): Promise<number>;
  describeFailure(error: unknown): string;
}

export interface LoadedGenerator extends GeneratorModule {
  /** Call after a complete build: caches V8's compiled code for the next start. */
  saveCodeCache(): void;
}

const REPO = fileURLToPath(new URL('../', import.meta.url));
const GENERATOR_DIR = join(REPO, 'generator');
const CACHE_DIR = join(REPO, '.cache');
const ENTRY = join(GENERATOR_DIR, 'main.ts');
/** The query thread's own entry (query-worker/client.ts starts it from this bundle when told where it is). */
const WORKER_ENTRY = join(GENERATOR_DIR, 'query-worker', 'worker.ts');

/** Loaded by node at run time, not bundled: sql.js finds its .wasm beside itself; esbuild runs a binary; puppeteer (--pdf only) is large. */
const EXTERNAL = ['sql.js', 'esbuild', 'puppeteer'];

export async function loadGenerator(): Promise<LoadedGenerator> {
  if (process.env.BOOK_FROM_SOURCES) return fromSources();
  let bundle: string;
  try {
    const key = sourcesKey();
    bundle = join(CACHE_DIR, `generator-${key}.cjs`);
    const workerBundle = join(CACHE_DIR, `query-worker-${key}.cjs`);
    try {
      statSync(bundle);
      statSync(workerBundle);
    } catch {
      await writeBundle(ENTRY, bundle);
      await writeBundle(WORKER_ENTRY, workerBundle);
      removeOldBundles([bundle, workerBundle]);
    }
    process.env[WORKER_BUNDLE_VARIABLE] = workerBundle;
  } catch (error) {
    // Same code, just slower to start: say so and carry on from the sources.
    process.stderr.write(`book: could not bundle the generator (${(error as Error).message.split('\n')[0]}); running from sources\n`);
    return fromSources();
  }
  return runBundle(bundle);
}

/**
 * Evaluates the CommonJS bundle like node's own loader would, reusing V8's compiled code
 * when cached. The code cache is written after a complete build (`saveCodeCache`), when
 * it also holds every function the build compiled lazily — most of the generator's
 * cold-start cost.
 */
function runBundle(bundle: string): LoadedGenerator {
  const codeCacheFile = bundle.replace(/\.cjs$/, '.v8cache');
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(codeCacheFile);
  } catch {
    // first run of this bundle
  }
  const source = readFileSync(bundle, 'utf8');
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
    cachedData,
    // A dynamic import() left in the bundle resolves like one in any module of the main program.
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} as GeneratorModule };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  // Externals (sql.js, esbuild) resolve from the repository's node_modules.
  wrapper(module.exports, createRequire(ENTRY), module, bundle, dirname(bundle));
  const needsCache = cachedData === undefined || script.cachedDataRejected === true;
  return {
    ...module.exports,
    saveCodeCache() {
      if (!needsCache) return;
      try {
        writeFileAtomic(codeCacheFile, script.createCachedData());
      } catch {
        // only an optimisation
      }
    },
  };
}

async function fromSources(): Promise<LoadedGenerator> {
  const module = (await import('./main.ts')) as GeneratorModule;
  return { main: module.main, describeFailure: module.describeFailure, saveCodeCache: () => undefined };
}

/** Hash of everything the bundle is made of: our sources (generator/, db/) and the locked dependencies. */
function sourcesKey(): string {
  const hash = createHash('sha256');
  const files = [
    ...sourceFiles(GENERATOR_DIR),
    ...sourceFiles(join(REPO, 'db')),
    join(REPO, 'package-lock.json'),
  ];
  for (const file of files) hash.update(relative(REPO, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex').slice(0, 16);
}

function sourceFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((name) => /\.(ts|css)$/.test(name) && !name.endsWith('.test.ts') && !name.includes('test-fixtures'))
    .sort()
    .map((name) => join(dir, name));
}

async function writeBundle(entry: string, target: string): Promise<void> {
  const esbuild = await import('esbuild');
  mkdirSync(CACHE_DIR, { recursive: true });
  const result = await esbuild.build({
    entryPoints: [entry],
    outfile: target,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: ['node20'],
    external: EXTERNAL,
    logLevel: 'silent',
    legalComments: 'none',
    plugins: [
      {
        // Our modules find files beside themselves (book.css, client/, the .wasm) through
        // import.meta.url: keep it pointing at the source file, not at the bundle.
        name: 'source-import-meta-url',
        setup(build) {
          build.onLoad({ filter: /\.ts$/ }, (args) => {
            if (args.path.includes(`${'/'}node_modules${'/'}`)) return undefined;
            const contents = readFileSync(args.path, 'utf8').replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href));
            return { contents, loader: 'ts' };
          });
        },
      },
    ],
  });
  writeFileAtomic(target, result.outputFiles[0].contents); // a concurrent build never imports half a file
}

/** Bundles of earlier sources (kept a minute, in case another build is still loading one). */
function removeOldBundles(current: string[]): void {
  const now = Date.now();
  const keep = new Set(current.flatMap((file) => [file, file.replace(/\.cjs$/, '.v8cache')]));
  for (const name of readdirSync(CACHE_DIR)) {
    const file = join(CACHE_DIR, name);
    if (!/^(generator|query-worker)-[0-9a-f]{16}\.(cjs|v8cache)$/.test(name) || keep.has(file)) continue;
    try {
      if (now - statSync(file).mtimeMs > 60_000) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  }
}
