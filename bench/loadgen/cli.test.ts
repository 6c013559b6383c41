import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/args.ts';
import { bundledCommand, tsxCommand } from '../testing/cli-bundle.ts';
import { parseLoadgenArgs } from './cli-args.ts';
import type { LoadResult } from './types.ts';

const execFileAsync = promisify(execFile);

/** The command from this run's bundle of its source (testing/cli-bundle.ts), or with `tsx` as `npm run loadgen` starts it. */
async function runCli(args: string[], { tsx = false } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const command = tsx ? tsxCommand('bench/loadgen/cli.ts') : bundledCommand('bench/loadgen/cli.ts');
  return execFileAsync(process.execPath, [...command, ...args], { encoding: 'utf8' }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

describe('parseLoadgenArgs', () => {
  it('has defaults: autocannon against the reference server, 10 connections, 5 s, keep-alive', () => {
    expect(parseLoadgenArgs([])).toEqual({
      tool: 'autocannon', url: null, bodyFile: null, contentType: 'application/json', json: false, help: false,
      request: { paths: ['/'], connections: 10, durationSeconds: 5, threads: 1, timeoutSeconds: 10, keepAlive: true },
    });
  });
  it('reads every flag, with --path repeated for a mix', () => {
    const options = parseLoadgenArgs(['--tool', 'wrk', '--url', 'http://127.0.0.1:8080', '--path', '/a', '--path', '/b', '--connections', '4',
      '--duration', '2', '--threads', '2', '--timeout', '1.5', '--no-keepalive', '--json']);
    expect(options).toMatchObject({ tool: 'wrk', url: 'http://127.0.0.1:8080', json: true,
      request: { paths: ['/a', '/b'], connections: 4, durationSeconds: 2, threads: 2, timeoutSeconds: 1.5, keepAlive: false } });
  });
  it('rejects bad flags with readable usage errors', () => {
    expect(() => parseLoadgenArgs(['--tool', 'ab'])).toThrow(new UsageError('--tool must be one of autocannon, wrk, oha (got "ab")'));
    expect(() => parseLoadgenArgs(['--connections', '0'])).toThrow('--connections must be an integer ≥ 1, got "0"');
    expect(() => parseLoadgenArgs(['--duration', 'soon'])).toThrow('--duration must be a number > 0, got "soon"');
    expect(() => parseLoadgenArgs(['--bogus'])).toThrow(UsageError);
    expect(() => parseLoadgenArgs(['--url', 'http://127.0.0.1:1', '--body-file', 'x'])).toThrow(/without --url/);
  });
});

describe('bench/loadgen/cli.ts', () => {
  it('exits 2 with a one-line message, no stack trace, for a bad flag or a remote host', async () => {
    const badTool = await runCli(['--tool', 'ab'], { tsx: true });
    expect(badTool.code).toBe(2);
    expect(badTool.stderr).toContain('loadgen: --tool must be one of autocannon, wrk, oha (got "ab")');
    expect(badTool.stderr).not.toMatch(/\n\s+at /);
    const remote = await runCli(['--url', 'http://example.com:80', '--duration', '1']);
    expect(remote.code).toBe(2);
    expect(remote.stderr).toContain('refusing to send load to "example.com"');
  });

  it('loads the reference server and prints the LoadResult as JSON', async () => {
    const { code, stdout } = await runCli(['--tool', 'wrk', '--duration', '1', '--connections', '2', '--json']);
    expect(code).toBe(0);
    const { tool, result } = JSON.parse(stdout) as { tool: { name: string }; result: LoadResult };
    expect(tool.name).toBe('wrk');
    expect(result.ok).toBe(true);
    expect(result.successfulRequests).toBeGreaterThan(0);
  });
});
