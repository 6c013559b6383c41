/**
 * vitest globalSetup, once per run:
 * - stop at once, with one line, when a tool the tests need is missing (see requirements.ts).
 *   Exits instead of throwing: vitest would print a stack trace;
 * - bundle the commands the end-to-end tests start (cli-bundle.ts), removed at the end;
 * - one temporary directory for the whole run (TMPDIR, inherited by the test workers and every
 *   process they start), removed at the end: a worker is killed when its files are done, so a
 *   directory a module removes at its exit (wrk's shared paths files) or a test that stops a
 *   bench mid-run would otherwise leave its files in /tmp (335 MB after two runs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildCliBundles } from './cli-bundle.ts';
import { missingToolsMessage, probeTestTools } from './requirements.ts';

export default async function setup(project: TestProject): Promise<() => void> {
  const message = missingToolsMessage(await probeTestTools());
  if (message !== null) {
    process.stderr.write(`${message}\n`);
    process.exit(1);
  }
  const runTmp = mkdtempSync(join(tmpdir(), 'perf-book-tests-'));
  process.env.TMPDIR = runTmp;
  const { bundles, remove } = await buildCliBundles();
  project.provide('cliBundles', bundles);
  return () => {
    remove();
    rmSync(runTmp, { recursive: true, force: true });
  };
}
