/**
 * Test support: the commands the end-to-end tests start as child processes, bundled once per
 * test run (vitest globalSetup) instead of compiled by tsx at every start.
 *
 * `node --import tsx bench/cli.ts` resolves and transforms the CLI's whole module graph through
 * tsx's loader at every start: ~1.5 s of CPU (user + sys) against ~0.65 s for the bundle on this
 * 2-core machine, and the tests start these commands some 35 times. The bundle is the same
 * source, run by plain node: each
 * module keeps its own `import.meta.url` (HARNESS_ROOT, createRequire, paths beside a module
 * resolve as they do unbundled), and it sits under the checkout's .cache/ so that packages
 * resolve from its node_modules. One start per command still goes through tsx, as `npm run`
 * does (see the tests that call `tsxCommand`).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { inject } from 'vitest';
import { HARNESS_ROOT } from '../provenance.ts';

/** The entry points the tests start, relative to the checkout. */
export const CLI_ENTRIES = ['bench/cli.ts', 'bench/gate/cli.ts', 'bench/verify/cli.ts', 'bench/profile/cli.ts', 'bench/loadgen/cli.ts'] as const;
export type CliEntry = (typeof CLI_ENTRIES)[number];

declare module 'vitest' {
  export interface ProvidedContext {
    cliBundles: Record<string, string>;
  }
}

/** Every module's `import.meta.url` stays its source file's URL, as tsx runs it. */
const keepModuleUrls: Plugin = {
  name: 'keep-module-urls',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes('/node_modules/')) return undefined;
      const source = readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
      return { contents: source, loader: 'ts' };
    });
  },
};

/** Bundles every entry into a fresh folder under .cache/; returns the paths and a remover. */
export async function buildCliBundles(root: string = HARNESS_ROOT): Promise<{ bundles: Record<string, string>; remove: () => void }> {
  mkdirSync(join(root, '.cache'), { recursive: true });
  const dir = mkdtempSync(join(root, '.cache', 'test-cli-'));
  const bundles: Record<string, string> = {};
  await Promise.all(CLI_ENTRIES.map(async (entry) => {
    const outfile = join(dir, `${entry.replaceAll('/', '-').replace(/\.ts$/, '')}.mjs`);
    await build({
      entryPoints: [join(root, entry)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      plugins: [keepModuleUrls],
      logLevel: 'error',
    });
    bundles[entry] = outfile;
  }));
  return { bundles, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** node's arguments to run `entry` from this run's bundle (built by the globalSetup). */
export function bundledCommand(entry: CliEntry): string[] {
  const bundle = inject('cliBundles')?.[entry];
  if (bundle === undefined) throw new Error(`no bundle of ${entry}: the tests run through vitest.config.ts, whose globalSetup builds it`);
  return [bundle];
}

/**
 * node's arguments to run `entry` as `npm run` does (`node --import tsx`, tsx compiling it at
 * start), with tsx resolved from this checkout whatever the child's working directory.
 */
export function tsxCommand(entry: CliEntry): string[] {
  const tsx = createRequire(join(HARNESS_ROOT, 'package.json')).resolve('tsx');
  return ['--import', pathToFileURL(tsx).href, join(HARNESS_ROOT, entry)];
}
