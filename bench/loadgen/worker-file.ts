// A load generator's worker as plain JavaScript (./autocannon-worker.ts, ./open-loop-worker.ts),
// so no TypeScript loader runs inside it: written once per content into node_modules/.cache
// beside the package it imports, from where its imports resolve.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../../db/atomic-write.ts';

const requireHere = createRequire(import.meta.url);

/**
 * The path of `<name>-<hash of key>.mjs` under node_modules/.cache/bench-loadgen (the
 * node_modules holding `besidePackage`); `compile` makes its code the first time only.
 */
export function workerFile(name: string, key: string, compile: () => string, besidePackage: string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  const nodeModules = dirname(dirname(requireHere.resolve(`${besidePackage}/package.json`)));
  const cacheDir = join(nodeModules, '.cache', 'bench-loadgen');
  const target = join(cacheDir, `${name}-${hash}.mjs`);
  if (!existsSync(target)) {
    mkdirSync(cacheDir, { recursive: true });
    writeFileAtomic(target, compile()); // concurrent runs never see half a file
  }
  return target;
}
