import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requireTool } from './index.ts';
import { ohaArguments, ohaGenerator, ohaJsonFlags, parseOhaReport, parseOhaVersion } from './oha.ts';
import { fixturesDir, readFixture } from './test-support.ts';

// Fixtures: real oha 1.16.0 reports (see fixtures/README.md); oha itself cannot be installed here.
describe('parseOhaReport', () => {
  it('reads the 3-second run: 21,636 responses with status 200, the 9 deadline aborts are not errors', () => {
    const parsed = parseOhaReport(readFixture('oha-1.16-report.json'));
    expect(parsed).toMatchObject({
      ok: true,
      totalRequests: 21636,
      successfulRequests: 21636,
      non2xx: 0,
      socketErrors: 0,
      timeoutErrors: 0,
      bytes: 22155264,
      durationSeconds: 3.003860875,
      samples: [],
    });
    // successful responses over the actual duration — not oha's requestsPerSec (7205.73), which counts the aborts
    expect(parsed.requestsPerSecond).toBe(21636 / 3.003860875);
    expect(parsed.latencyUs?.avg).toBeCloseTo(1378.5588666112064, 6);
    expect(parsed.latencyUs?.p50).toBeCloseTo(635, 6);
    expect(parsed.latencyUs?.p90).toBeCloseTo(1105.292, 6);
    expect(parsed.latencyUs?.p99).toBeCloseTo(31008.791, 6);
    expect(parsed.latencyUs?.max).toBeCloseTo(577411.167, 6);
  });

  it('reports the all-aborted run as failed, never with a default or zero latency', () => {
    const parsed = parseOhaReport(readFixture('oha-1.16-all-aborted.json'));
    expect(parsed).toMatchObject({
      ok: false,
      failure: 'all 5 requests aborted at the deadline',
      successfulRequests: 0,
      totalRequests: 0,
      requestsPerSecond: null,
      latencyUs: null,
    });
  });

  it('sorts statuses and errors: non-2xx, timeouts, socket errors', () => {
    const report = JSON.parse(readFixture('oha-1.16-report.json')) as Record<string, unknown>;
    report.statusCodeDistribution = { '200': 90, '204': 10, '404': 3, '500': 2 };
    report.errorDistribution = { 'operation timed out': 4, 'connection refused': 6, 'aborted due to deadline': 2 };
    const parsed = parseOhaReport(report);
    expect(parsed).toMatchObject({ ok: true, successfulRequests: 100, non2xx: 5, timeoutErrors: 4, socketErrors: 6, totalRequests: 115 });
    expect(parsed.requestsPerSecond).toBe(100 / 3.003860875);
  });

  it('throws on output that is not an oha report', () => {
    expect(() => parseOhaReport('Error: connection refused')).toThrow(/not JSON/);
    expect(() => parseOhaReport('{"x":1}')).toThrow(/no "summary"/);
  });
});

describe('oha command line', () => {
  it('picks the JSON flag from the version: -j before 1.9, --output-format json since', () => {
    expect(parseOhaVersion('oha 1.16.0\n')).toBe('1.16.0');
    expect(parseOhaVersion('oha 0.6.5')).toBe('0.6.5');
    expect(parseOhaVersion('something else')).toBeNull();
    expect(ohaJsonFlags('1.8.0')).toEqual(['-j']);
    expect(ohaJsonFlags('0.6.5')).toEqual(['-j']);
    expect(ohaJsonFlags('1.9.0')).toEqual(['--output-format', 'json']);
    expect(ohaJsonFlags('1.16.0')).toEqual(['--output-format', 'json']);
    expect(ohaJsonFlags('2.0.0')).toEqual(['--output-format', 'json']);
  });

  it('builds a hot-path run: duration and timeout in ms, keep-alive switch', () => {
    const { args, urlsFileContent } = ohaArguments(
      { url: 'http://127.0.0.1:9000', paths: ['/search?q=a'], connections: 4, durationSeconds: 2.5, keepAlive: false, timeoutSeconds: 3 },
      { version: '1.16.0', supportsUrlsFromFile: true },
      '/tmp/urls.txt',
    );
    expect(args).toEqual(['--no-tui', '--output-format', 'json', '-z', '2500ms', '-c', '4', '-t', '3000ms', '--disable-keepalive', 'http://127.0.0.1:9000/search?q=a']);
    expect(urlsFileContent).toBeNull();
  });

  it('sends a mix through --urls-from-file, or --rand-regex-url when this oha lacks it', () => {
    const request = { url: 'http://localhost:9000', paths: ['/a.json', '/search?q=x'], connections: 1, durationSeconds: 1, keepAlive: true };
    const fromFile = ohaArguments(request, { version: '1.16.0', supportsUrlsFromFile: true }, '/tmp/urls.txt');
    expect(fromFile.args.slice(-2)).toEqual(['--urls-from-file', '/tmp/urls.txt']);
    expect(fromFile.urlsFileContent).toBe('http://localhost:9000/a.json\nhttp://localhost:9000/search?q=x\n');
    const regex = ohaArguments(request, { version: '1.3.0', supportsUrlsFromFile: false }, '/tmp/urls.txt');
    expect(regex.args).toContain('-j');
    expect(regex.args.slice(-2)).toEqual(['--rand-regex-url', 'http://localhost:9000(/a\\.json|/search\\?q=x)']);
  });
});

describe('oha on PATH', () => {
  let binDir: string;
  let originalPath: string | undefined;
  beforeEach(() => {
    binDir = mkdtempSync(join(tmpdir(), 'fake-oha-'));
    originalPath = process.env.PATH;
  });
  afterEach(() => {
    process.env.PATH = originalPath;
    for (const name of ['FAKE_OHA_VERSION', 'FAKE_OHA_REPORT', 'FAKE_OHA_LOG', 'FAKE_OHA_HELP']) delete process.env[name];
    rmSync(binDir, { recursive: true, force: true });
  });

  it('is reported missing with how to install it', async () => {
    process.env.PATH = binDir; // nothing in it
    expect(await ohaGenerator.detect()).toBeNull();
    await expect(requireTool('oha')).rejects.toThrow('oha is not installed: cargo install oha');
    await expect(ohaGenerator.run({ url: 'http://127.0.0.1:9', paths: ['/'], connections: 1, durationSeconds: 1, keepAlive: true }))
      .rejects.toThrow(/oha is not installed: cargo install oha/);
  });

  // A stand-in `oha` that answers --version/--help like oha, logs its arguments and the URLs
  // file, and prints a recorded real report.
  function installFakeOha(): void {
    writeFileSync(join(binDir, 'oha'), `#!/bin/sh
case "$1" in
  --version) echo "oha $FAKE_OHA_VERSION"; exit 0 ;;
  --help) printf '%s\\n' "$FAKE_OHA_HELP"; exit 0 ;;
esac
printf '%s\\n' "$@" > "$FAKE_OHA_LOG"
previous=""
for arg in "$@"; do
  if [ "$previous" = "--urls-from-file" ]; then echo "--- urls" >> "$FAKE_OHA_LOG"; cat "$arg" >> "$FAKE_OHA_LOG"; fi
  previous="$arg"
done
cat "$FAKE_OHA_REPORT"
`);
    chmodSync(join(binDir, 'oha'), 0o755);
    process.env.PATH = `${binDir}:${originalPath ?? ''}`;
    process.env.FAKE_OHA_LOG = join(binDir, 'args.log');
    process.env.FAKE_OHA_REPORT = join(fixturesDir, 'oha-1.16-report.json');
  }

  it('detects the version, builds the arguments for it and parses its report (oha 1.16)', async () => {
    installFakeOha();
    process.env.FAKE_OHA_VERSION = '1.16.0';
    process.env.FAKE_OHA_HELP = '      --urls-from-file   Read the URLs to query from a file';
    expect(await ohaGenerator.detect()).toEqual({ name: 'oha', version: '1.16.0', path: join(binDir, 'oha') });
    const result = await ohaGenerator.run({ url: 'http://127.0.0.1:9000', paths: ['/a', '/b'], connections: 3, durationSeconds: 2, keepAlive: true });
    expect(readFileSync(join(binDir, 'args.log'), 'utf8').split('\n')).toEqual([
      '--no-tui', '--output-format', 'json', '-z', '2000ms', '-c', '3', '-t', '10000ms', '--urls-from-file',
      expect.stringMatching(/urls\.txt$/), '--- urls', 'http://127.0.0.1:9000/a', 'http://127.0.0.1:9000/b', '',
    ]);
    expect(result).toMatchObject({ ok: true, successfulRequests: 21636, raw: readFixture('oha-1.16-report.json') });
    expect(result.requestsPerSecond).toBe(21636 / 3.003860875);
  });

  it('uses -j and --rand-regex-url with an old oha (1.8), and reports an all-aborted run as failed', async () => {
    installFakeOha();
    process.env.FAKE_OHA_VERSION = '1.8.0';
    process.env.FAKE_OHA_HELP = '      --rand-regex-url   Generate URL by rand_regex crate';
    process.env.FAKE_OHA_REPORT = join(fixturesDir, 'oha-1.16-all-aborted.json');
    const result = await ohaGenerator.run({ url: 'http://localhost:9000', paths: ['/a', '/b'], connections: 1, durationSeconds: 1, keepAlive: false });
    const args = readFileSync(join(binDir, 'args.log'), 'utf8').trim().split('\n');
    expect(args).toEqual(['--no-tui', '-j', '-z', '1000ms', '-c', '1', '-t', '10000ms', '--disable-keepalive', '--rand-regex-url', 'http://localhost:9000(/a|/b)']);
    expect(result).toMatchObject({ ok: false, failure: 'all 5 requests aborted at the deadline', latencyUs: null, requestsPerSecond: null });
  });

  it('reports a crashing oha as a failed run with its stderr', async () => {
    writeFileSync(join(binDir, 'oha'), '#!/bin/sh\ncase "$1" in --version) echo "oha 1.16.0"; exit 0 ;; esac\necho "error: invalid value for -c" >&2\nexit 2\n');
    chmodSync(join(binDir, 'oha'), 0o755);
    process.env.PATH = `${binDir}:${originalPath ?? ''}`;
    const result = await ohaGenerator.run({ url: 'http://127.0.0.1:9000', paths: ['/'], connections: 1, durationSeconds: 1, keepAlive: true });
    expect(result).toMatchObject({ ok: false, failure: 'oha exited with code 2: error: invalid value for -c', requestsPerSecond: null });
    expect(result.raw).toBe('error: invalid value for -c\n');
  });
});
