/**
 * What the test suite needs beyond `npm ci`: a Chromium (the book's pages in a real
 * browser), wrk (the default load generator), valgrind (the instruction-count cost
 * signal), pdftotext (the book's PDF read back, generator/pdf.test.ts) and nginx (the
 * yardstick server beside the chapters). `global-setup.ts` checks them once before any test file runs, so a machine
 * lacking one gets a single line naming what to install instead of a stack trace from
 * deep inside puppeteer or a load run.
 */
import { findExecutable, isExecutable } from '../proc/executable.ts';

export const TEST_TOOLS = ['chromium', 'wrk', 'valgrind', 'pdftotext', 'nginx'] as const;
export type TestTool = (typeof TEST_TOOLS)[number];

/** What the probe saw for one tool; `note` says why a configured path was rejected. */
export interface ToolProbe {
  tool: TestTool;
  found: boolean;
  note?: string;
}

/** The Debian package providing each tool (.ci/run installs the same ones). */
export const DEBIAN_PACKAGE: Record<TestTool, string> = { chromium: 'chromium', wrk: 'wrk', valgrind: 'valgrind', pdftotext: 'poppler-utils', nginx: 'nginx-light' };

/** The one line to print when something is missing, or null when everything is there (pure). */
export function missingToolsMessage(probes: readonly ToolProbe[]): string | null {
  const missing = probes.filter((probe) => !probe.found);
  if (missing.length === 0) return null;
  const names = missing.map((probe) => (probe.note ? `${probe.tool} (${probe.note})` : probe.tool)).join(' ');
  const packages = missing.map((probe) => DEBIAN_PACKAGE[probe.tool]).join(' ');
  return `npm test needs: ${names} — run: sudo apt-get install -y ${packages}, or bash .ci/run`;
}

/** Where the probe looks: the environment, and puppeteer's own downloaded Chrome (GitHub Actions). */
export interface ProbeEnvironment {
  path: string;
  puppeteerExecutablePath?: string;
  bundledChrome: () => Promise<string | null>;
}

export interface ChromiumLocation {
  path: string | null;
  note?: string;
}

/**
 * The browser the tests launch: PUPPETEER_EXECUTABLE_PATH when set (CI points it at
 * puppeteer's Chrome; a wrong value is reported, not silently replaced), else `chromium`
 * on PATH, else puppeteer's downloaded Chrome when it is there.
 */
export async function locateChromium(env: ProbeEnvironment): Promise<ChromiumLocation> {
  if (env.puppeteerExecutablePath) {
    return isExecutable(env.puppeteerExecutablePath)
      ? { path: env.puppeteerExecutablePath }
      : { path: null, note: `PUPPETEER_EXECUTABLE_PATH=${env.puppeteerExecutablePath} is not an executable` };
  }
  const onPath = findExecutable('chromium', env.path);
  if (onPath) return { path: onPath };
  const bundled = await env.bundledChrome();
  return { path: bundled !== null && isExecutable(bundled) ? bundled : null };
}

/** Puppeteer's own Chrome, if `npm ci` downloaded it (imported only when needed: it is large). */
async function puppeteerChrome(): Promise<string | null> {
  try {
    const { default: puppeteer } = await import('puppeteer');
    return puppeteer.executablePath();
  } catch {
    return null;
  }
}

export function processEnvironment(): ProbeEnvironment {
  return { path: process.env.PATH ?? '', puppeteerExecutablePath: process.env.PUPPETEER_EXECUTABLE_PATH, bundledChrome: puppeteerChrome };
}

/** Looks for every tool of TEST_TOOLS. */
export async function probeTestTools(env: ProbeEnvironment = processEnvironment()): Promise<ToolProbe[]> {
  const chromium = await locateChromium(env);
  return TEST_TOOLS.map((tool): ToolProbe => {
    if (tool === 'chromium') return { tool, found: chromium.path !== null, ...(chromium.note ? { note: chromium.note } : {}) };
    return { tool, found: findExecutable(tool, env.path) !== null };
  });
}
