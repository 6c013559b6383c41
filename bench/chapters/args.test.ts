import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/args.ts';
import { parseVerifyArgs } from './args.ts';

describe('parseVerifyArgs', () => {
  it('reads the command, --chapters and --repo; --help wins', () => {
    expect(parseVerifyArgs(['verify', '--chapters', 'v1-a, v2-b', '--repo', '/r'])).toEqual({ repoDir: '/r', tags: ['v1-a', 'v2-b'] });
    expect(parseVerifyArgs(['verify'])).toEqual({ repoDir: resolve('.'), tags: null });
    expect(parseVerifyArgs(['verify', '-h'])).toBe('help');
  });

  it.each([
    [[], 'missing command: verify'],
    [['check'], 'unknown command "check" (the only one is verify)'],
    [['verify', 'more'], 'unexpected argument "more"'],
    [['verify', '--chapters'], 'option --chapters needs a value'],
    [['verify', '--bogus'], 'unknown option --bogus'],
  ])('%j is a UsageError: %s', (argv, message) => {
    expect(() => parseVerifyArgs(argv)).toThrow(UsageError);
    expect(() => parseVerifyArgs(argv)).toThrow(message);
  });
});
