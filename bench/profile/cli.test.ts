import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/args.ts';
import { bundledCommand, tsxCommand } from '../testing/cli-bundle.ts';
import { parseProfileArgs } from './args.ts';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/tiny-http.cpuprofile', import.meta.url));

describe('parseProfileArgs', () => {
  it('reads paths, --top and --root', () => {
    expect(parseProfileArgs(['a.cpuprofile', '--top', '5', '--root', '/r'])).toEqual({ paths: ['a.cpuprofile'], top: 5, root: '/r' });
    expect(parseProfileArgs(['a.cpuprofile'])!.top).toBe(15);
    expect(parseProfileArgs(['--help'])).toBeNull();
  });

  it('rejects bad flags with a UsageError', () => {
    expect(() => parseProfileArgs([])).toThrow(UsageError);
    expect(() => parseProfileArgs(['a', '--top', '0'])).toThrow('--top must be an integer ≥ 1, got "0"');
    expect(() => parseProfileArgs(['a', '--top', '2.5'])).toThrow(UsageError);
    expect(() => parseProfileArgs(['a', '--nope'])).toThrow(UsageError);
  });
});

describe('the CLI', () => {
  // The first start as `npm run profile` starts it (tsx), the others from this run's bundle of the same source (testing/cli-bundle.ts).
  const start = (command: string[], args: string[]) => run(process.execPath, [...command, ...args], { cwd: repo }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
  const cli = (...args: string[]) => start(bundledCommand('bench/profile/cli.ts'), args);

  it('prints the table of a recorded profile', async () => {
    const { code, stdout } = await start(tsxCommand('bench/profile/cli.ts'), [fixture, '--top', '3', '--root', '/repo']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(6); // header, rule, 3 functions, the rest
    expect(stdout).toContain('handleSearch');
    expect(lines[5]).toMatch(/other functions\) \| \(rest\)/);
  });

  it('exits 2 on a bad flag and 1 on a file that is not a profile', async () => {
    expect(await cli(fixture, '--top', 'x')).toMatchObject({ code: 2, stderr: expect.stringContaining('--top must be an integer ≥ 1, got "x"') });
    expect(await cli('package.json')).toMatchObject({ code: 1, stderr: expect.stringContaining('package.json: not a V8 CPU profile') });
    expect(await cli('missing.cpuprofile')).toMatchObject({ code: 1, stderr: expect.stringContaining('missing.cpuprofile: cannot read (ENOENT)') });
  });
});
