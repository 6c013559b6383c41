/**
 * vitest globalSetup, once per run:
 * - stop at once, with one line, when a tool the tests need is missing (see requirements.ts).
 *   Exits instead of throwing: vitest would print a stack trace;
 * - bundle the commands the end-to-end tests start (cli-bundle.ts), removed at the end.
 */
import type { TestProject } from 'vitest/node';
import { buildCliBundles } from './cli-bundle.ts';
import { missingToolsMessage, probeTestTools } from './requirements.ts';

export default async function setup(project: TestProject): Promise<() => void> {
  const message = missingToolsMessage(await probeTestTools());
  if (message !== null) {
    process.stderr.write(`${message}\n`);
    process.exit(1);
  }
  const { bundles, remove } = await buildCliBundles();
  project.provide('cliBundles', bundles);
  return remove;
}
