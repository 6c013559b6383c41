/**
 * The test suite's tool check: the message (pure), the probe against real directories of
 * fake executables, and vitest itself stopping with one line on a PATH without the tools.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEBIAN_PACKAGE, missingToolsMessage, probeTestTools, TEST_TOOLS, type ProbeEnvironment } from './requirements.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'test-requirements-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A directory holding an executable stub for each name. */
function binDir(name: string, tools: string[]): string {
  const dir = join(tmp, name);
  mkdirSync(dir);
  for (const tool of tools) {
    writeFileSync(join(dir, tool), '#!/bin/sh\nexit 0\n');
    chmodSync(join(dir, tool), 0o755);
  }
  return dir;
}

const noBundledChrome = async () => null;

describe('missingToolsMessage', () => {
  it('says nothing when every tool is there', () => {
    expect(missingToolsMessage([{ tool: 'chromium', found: true }, { tool: 'wrk', found: true }, { tool: 'valgrind', found: true }, { tool: 'pdftotext', found: true }, { tool: 'nginx', found: true }])).toBeNull();
  });

  it('names every missing tool and the one command installing them, on one line', () => {
    const message = missingToolsMessage([{ tool: 'chromium', found: false }, { tool: 'wrk', found: true }, { tool: 'valgrind', found: false }]);
    expect(message).toBe('npm test needs: chromium valgrind — run: sudo apt-get install -y chromium valgrind, or bash .ci/run');
  });

  it('names the Debian package of a tool whose package is named otherwise', () => {
    const message = missingToolsMessage([{ tool: 'pdftotext', found: false }, { tool: 'nginx', found: false }]);
    expect(message).toBe('npm test needs: pdftotext nginx — run: sudo apt-get install -y poppler-utils nginx-light, or bash .ci/run');
  });

  it('.ci/run installs the package of every tool the check names', () => {
    const ciRun = readFileSync(join(root, '.ci', 'run'), 'utf8');
    for (const tool of TEST_TOOLS) expect(ciRun, `.ci/run must install ${DEBIAN_PACKAGE[tool]} (for ${tool})`).toContain(DEBIAN_PACKAGE[tool]);
  });

  it('says why a configured browser path was rejected', () => {
    const message = missingToolsMessage([{ tool: 'chromium', found: false, note: 'PUPPETEER_EXECUTABLE_PATH=/nope is not an executable' }]);
    expect(message).toBe('npm test needs: chromium (PUPPETEER_EXECUTABLE_PATH=/nope is not an executable) — run: sudo apt-get install -y chromium, or bash .ci/run');
  });
});

describe('probeTestTools', () => {
  const all = binDir('all', ['chromium', 'wrk', 'valgrind', 'pdftotext', 'nginx']);
  const none = binDir('none', []);
  const env = (overrides: Partial<ProbeEnvironment>): ProbeEnvironment => ({ path: none, bundledChrome: noBundledChrome, ...overrides });

  it('finds every tool on PATH, so the check does not fire', async () => {
    const probes = await probeTestTools(env({ path: all }));
    expect(probes).toEqual(TEST_TOOLS.map((tool) => ({ tool, found: true })));
    expect(missingToolsMessage(probes)).toBeNull();
  });

  it('reports each tool missing from PATH', async () => {
    expect(missingToolsMessage(await probeTestTools(env({})))).toBe(
      'npm test needs: chromium wrk valgrind pdftotext nginx — run: sudo apt-get install -y chromium wrk valgrind poppler-utils nginx-light, or bash .ci/run',
    );
  });

  it("takes PUPPETEER_EXECUTABLE_PATH as the browser (GitHub Actions: puppeteer's Chrome)", async () => {
    const chrome = join(binDir('chrome', ['chrome']), 'chrome');
    const probes = await probeTestTools(env({ path: binDir('tools-only', ['wrk', 'valgrind', 'pdftotext', 'nginx']), puppeteerExecutablePath: chrome }));
    expect(missingToolsMessage(probes)).toBeNull();
  });

  it('reports a PUPPETEER_EXECUTABLE_PATH that is not there, even with chromium on PATH', async () => {
    const probes = await probeTestTools(env({ path: all, puppeteerExecutablePath: join(tmp, 'gone', 'chrome') }));
    expect(probes[0]).toEqual({ tool: 'chromium', found: false, note: `PUPPETEER_EXECUTABLE_PATH=${join(tmp, 'gone', 'chrome')} is not an executable` });
  });

  it("falls back to puppeteer's downloaded Chrome, only when it exists", async () => {
    const chrome = join(binDir('bundled', ['chrome']), 'chrome');
    const tools = binDir('wrk-valgrind', ['wrk', 'valgrind', 'pdftotext', 'nginx']);
    expect(missingToolsMessage(await probeTestTools(env({ path: tools, bundledChrome: async () => chrome })))).toBeNull();
    expect((await probeTestTools(env({ path: tools, bundledChrome: async () => join(tmp, 'not-downloaded') })))[0].found).toBe(false);
  });
});

describe('npm test on a machine without the tools', () => {
  it('stops before any test with exactly one line on stderr, no stack trace', () => {
    const nodeOnly = join(tmp, 'node-only');
    mkdirSync(nodeOnly);
    symlinkSync(process.execPath, join(nodeOnly, 'node'));
    const env: NodeJS.ProcessEnv = { HOME: tmp, PATH: nodeOnly, PUPPETEER_CACHE_DIR: join(tmp, 'puppeteer-cache'), NO_COLOR: '1' };
    const run = spawnSync(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'bench/testing/requirements.test.ts'], {
      cwd: root,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      'npm test needs: chromium wrk valgrind pdftotext nginx — run: sudo apt-get install -y chromium wrk valgrind poppler-utils nginx-light, or bash .ci/run',
    ]);
    expect(run.stdout).not.toMatch(/✓|passed/);
  });
});
