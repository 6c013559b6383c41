/**
 * vitest globalSetup: stop at once, with one line, when a tool the tests need is missing
 * (see requirements.ts). Exits instead of throwing: vitest would print a stack trace.
 */
import { missingToolsMessage, probeTestTools } from './requirements.ts';

export default async function checkTestRequirements(): Promise<void> {
  const message = missingToolsMessage(await probeTestTools());
  if (message === null) return;
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
