#!/usr/bin/env node
// @ts-check
/**
 * `npm run book` (see `--help`; the command itself is main.ts). Plain node, no tsx: the
 * generator runs from its prebuilt bundle (launch/bundle.mjs, rebuilt first when a
 * source changed), compiled with node:vm together with V8's code cache for it, so a
 * build starts in a few tens of milliseconds.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, Script } from 'node:vm';
import { DIST, ensureBundle, writeAtomic } from './launch/bundle.mjs';

/**
 * @typedef {object} GeneratorModule
 * @property {(argv: string[], runtime: import('./main.ts').Runtime) => Promise<number>} main
 * @property {(error: unknown) => string} describeFailure
 */

const argv = process.argv.slice(2);
const launchStarted = performance.now();
let bundled;
try {
  bundled = await ensureBundle();
} catch (error) {
  process.stderr.write(`book: could not bundle the generator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
const checked = performance.now();
const { manifest, rebuilt } = bundled;
// The query thread (query-worker/client.ts) starts from its bundle too; --watch's builds inherit it.
process.env.BOOK_QUERY_WORKER_BUNDLE = join(DIST, manifest.worker);
const loaded = runBundle(join(DIST, manifest.generator));
const phases = [
  { phase: rebuilt ? 'bundle (rebuilt)' : 'bundle check', ms: checked - launchStarted },
  { phase: 'load', ms: performance.now() - checked },
];
/** @type {import('./main.ts').Runtime} */
const runtime = { generatorVersion: manifest.version, launchPhases: phases };
try {
  process.exitCode = await loaded.generator.main(argv, runtime);
  // A build that ran through has compiled what the next one needs: keep it (again after a
  // build that rendered, so the cache also holds the renderer's code).
  if (process.exitCode === 0 && !argv.some((arg) => ['--help', '-h', '--watch'].includes(arg))) loaded.saveCodeCache((runtime.rendered ?? 0) > 0);
} catch (error) {
  process.stderr.write(`${loaded.generator.describeFailure(error)}\n`);
  process.exitCode = 1;
}

/**
 * Evaluates the CommonJS bundle as node's own loader would, reusing V8's compiled code
 * when cached. The code cache is written after a complete build (`saveCodeCache`), when
 * it also holds every function the build compiled lazily: most of the cold-start cost.
 * @param {string} bundle
 */
function runBundle(bundle) {
  const codeCacheFile = bundle.replace(/\.cjs$/, '.v8cache');
  /** @type {Buffer | undefined} */
  let cachedData;
  try {
    cachedData = readFileSync(codeCacheFile);
  } catch {
    // first run of this bundle
  }
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(bundle, 'utf8')}\n})`, {
    filename: bundle,
    cachedData,
    // A dynamic import() left in the bundle resolves like one in any module of the main program.
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: /** @type {GeneratorModule} */ ({}) };
  const wrapper = script.runInThisContext();
  // Externals (sql.js, esbuild, puppeteer) resolve from the repository's node_modules.
  wrapper(module.exports, createRequire(fileURLToPath(import.meta.url)), module, bundle, DIST);
  const needsCache = cachedData === undefined || script.cachedDataRejected === true;
  return {
    generator: module.exports,
    /** @param {boolean} refresh write even when a valid cache was used */
    saveCodeCache(refresh) {
      if (!needsCache && !refresh) return;
      try {
        writeAtomic(codeCacheFile, script.createCachedData());
      } catch {
        // only an optimisation
      }
    },
  };
}
