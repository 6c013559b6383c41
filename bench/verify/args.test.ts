import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/args.ts';
import { parseVerifyArgs } from './args.ts';

describe('parseVerifyArgs', () => {
  it('reads the command, --chapters and --repo; --help wins', () => {
    expect(parseVerifyArgs(['verify', '--chapters', 'v1-a, v2-b', '--repo', '/r', '--ingest-wait', '2.5'])).toEqual({ repoDir: '/r', tags: ['v1-a', 'v2-b'], ingestWaitSeconds: 2.5 });
    expect(parseVerifyArgs(['verify'])).toEqual({ repoDir: resolve('.'), tags: null, ingestWaitSeconds: 20 });
    expect(parseVerifyArgs(['verify', '-h'])).toBe('help');
    // `npm run verify` names no command; the older `npm run chapters -- verify` does.
    expect(parseVerifyArgs([])).toEqual({ repoDir: resolve('.'), tags: null, ingestWaitSeconds: 20 });
  });

  it.each([
    [['check'], 'unknown command "check" (the only one is verify)'],
    [['verify', 'more'], 'unexpected argument "more"'],
    [['verify', '--chapters'], 'option --chapters needs a value'],
    [['verify', '--bogus'], 'unknown option --bogus'],
    [['verify', '--ingest-wait', '0'], '--ingest-wait must be a number > 0, got "0"'],
  ])('%j is a UsageError: %s', (argv, message) => {
    expect(() => parseVerifyArgs(argv)).toThrow(UsageError);
    expect(() => parseVerifyArgs(argv)).toThrow(message);
  });
});
