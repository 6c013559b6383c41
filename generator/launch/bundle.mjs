// @ts-check
/**
 * The generator prebuilt by esbuild into generator/dist/: one CommonJS file for the
 * build and one for its query thread, so `npm run book` starts with plain node instead
 * of compiling a few hundred TypeScript modules through tsx at every start.
 *
 * Never stale: dist/manifest.json lists every source file of ours esbuild read (from
 * its metafile), this file, and for the packages bundled in, npm's record of what is
 * installed (node_modules/.package-lock.json, rewritten by every npm install or ci) and
 * package-lock.json; each with its content hash. A start compares them by stat, and by
 * content only when a stat differs (fingerprint.mjs); any change rebuilds the bundle
 * before it runs. (A hand edit inside node_modules is not seen: npm run build:generator.)
 *
 *   npm run build:generator    rebuild now (`npm run book` does it by itself when needed)
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fingerprintFile, sha256 } from './fingerprint.mjs';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const DIST = join(REPO, 'generator', 'dist');
const MANIFEST = join(DIST, 'manifest.json');
/** Read at run time, not bundled: sql.js finds its .wasm beside itself; esbuild runs a binary; puppeteer (--pdf only) is large. */
const EXTERNAL = ['sql.js', 'esbuild', 'puppeteer'];
/** What a bundle depends on besides our files esbuild reads: the packages installed, and how it is built. */
const EXTRA_INPUTS = ['package-lock.json', 'node_modules/.package-lock.json', relative(REPO, fileURLToPath(import.meta.url))];

/**
 * @typedef {object} Manifest
 * @property {string} version hash of both bundles and package-lock.json: pages rendered by another version are not reused
 * @property {string} generator bundle file name in dist/
 * @property {string} worker the query thread's bundle file name in dist/
 * @property {Record<string, import('./fingerprint.mjs').FileFingerprint>} inputs repository-relative path → fingerprint
 */

/**
 * The current bundle, rebuilt first when any input changed.
 * @returns {Promise<{ manifest: Manifest, rebuilt: boolean }>}
 */
export async function ensureBundle() {
  const manifest = freshManifest();
  if (manifest) return { manifest, rebuilt: false };
  return { manifest: await buildBundle(), rebuilt: true };
}

/**
 * The manifest when every input is unchanged (its stats refreshed when some file was only
 * touched), else null. `repo`/`dist`: where the inputs and the bundle are (tests).
 * @returns {Manifest | null}
 */
export function freshManifest(repo = REPO, dist = DIST) {
  const manifestFile = join(dist, 'manifest.json');
  /** @type {Manifest} */
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    statSync(join(dist, manifest.generator));
    statSync(join(dist, manifest.worker));
  } catch {
    return null;
  }
  let touched = false;
  for (const [path, known] of Object.entries(manifest.inputs)) {
    let now;
    try {
      now = fingerprintFile(join(repo, path), known);
    } catch {
      return null; // an input is gone
    }
    if (now.sha256 !== known.sha256) return null;
    if (now.stat !== known.stat) {
      manifest.inputs[path] = now;
      touched = true;
    }
  }
  if (touched) writeAtomic(manifestFile, JSON.stringify(manifest));
  return manifest;
}

/** @returns {Promise<Manifest>} */
export async function buildBundle() {
  const generator = await bundle(join(REPO, 'generator', 'main.ts'));
  const worker = await bundle(join(REPO, 'generator', 'query-worker', 'worker.ts'));
  const paths = new Set([...generator.inputs, ...worker.inputs, ...EXTRA_INPUTS]);
  /** @type {Manifest['inputs']} */
  const inputs = {};
  for (const path of [...paths].sort()) inputs[path] = fingerprintFile(join(REPO, path), undefined);
  const version = sha256(`${sha256(generator.code)}\0${sha256(worker.code)}\0${inputs['package-lock.json'].sha256}`).slice(0, 16);
  mkdirSync(DIST, { recursive: true });
  /** @type {Manifest} */
  const manifest = { version, generator: `generator-${version}.cjs`, worker: `query-worker-${version}.cjs`, inputs };
  // Content-addressed names, the manifest last: a concurrent start reads either the old or the new pair, never a mix.
  writeAtomic(join(DIST, manifest.generator), generator.code);
  writeAtomic(join(DIST, manifest.worker), worker.code);
  writeAtomic(MANIFEST, JSON.stringify(manifest));
  removeOldBundles(manifest);
  return manifest;
}

/**
 * @param {string} entry
 * @returns {Promise<{ code: string, inputs: string[] }>}
 */
async function bundle(entry) {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    write: false,
    outfile: join(DIST, 'out.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: ['node20'],
    external: EXTERNAL,
    logLevel: 'silent',
    legalComments: 'none',
    metafile: true,
    plugins: [
      {
        // Our modules find files beside themselves (book.css, client/, the .wasm) through
        // import.meta.url: keep it pointing at the source file, not at the bundle.
        name: 'source-import-meta-url',
        setup(build) {
          build.onLoad({ filter: /\.ts$/ }, (args) => {
            if (args.path.includes('/node_modules/')) return undefined;
            const contents = readFileSync(args.path, 'utf8').replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href));
            return { contents, loader: 'ts' };
          });
        },
      },
    ],
  });
  // Metafile paths are relative to esbuild's working directory. Packages are covered by npm's lockfiles (EXTRA_INPUTS).
  const inputs = Object.keys(result.metafile.inputs)
    .map((path) => relative(REPO, resolve(path)))
    .filter((path) => !path.split(/[/\\]/).includes('node_modules'));
  return { code: result.outputFiles[0].text, inputs };
}

/**
 * Bundles of earlier versions (kept a minute, in case another build is still loading one).
 * @param {Manifest} current
 */
function removeOldBundles(current) {
  const keep = new Set([current.generator, current.worker, current.generator.replace(/\.cjs$/, '.v8cache')]);
  for (const name of readdirSync(DIST)) {
    if (!/^(generator|query-worker)-[0-9a-f]{16}\.(cjs|v8cache)$/.test(name) || keep.has(name)) continue;
    try {
      if (Date.now() - statSync(join(DIST, name)).mtimeMs > 60_000) rmSync(join(DIST, name), { force: true });
    } catch {
      // already gone
    }
  }
}

/**
 * A file no concurrent reader sees half-written (the JavaScript twin of db/atomic-write.ts,
 * which this plain-node launcher cannot import).
 * @param {string} path
 * @param {string | Uint8Array} data
 */
export function writeAtomic(path, data) {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const manifest = await buildBundle();
  process.stdout.write(
    `book: generator bundled into ${relative(process.cwd(), join(DIST, manifest.generator))} ` +
      `(${Object.keys(manifest.inputs).length} inputs) in ${((performance.now() - started) / 1000).toFixed(2)} s\n`,
  );
}
