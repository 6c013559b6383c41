import { describe, expect, it } from 'vitest';
import { numberFlag, parseFlags, UsageError } from './args.ts';

const options = { port: { type: 'string' }, watch: { type: 'boolean' } } as const;

function usageMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('parseFlags', () => {
  it('parses like node:util parseArgs', () => {
    expect(parseFlags({ args: ['--port', '80', '--watch'], options }).values).toEqual({ port: '80', watch: true });
  });

  it.each([
    [['--nope'], 'unknown option --nope'],
    [['-x'], 'unknown option -x'],
    [['stray'], 'unexpected argument "stray"'],
    [['--port'], 'option --port needs a value'],
    [['--port', '-1'], 'option --port needs a value (for one starting with a dash, write --port=…)'],
    [['--watch=yes'], 'option --watch takes no value'],
  ])('%j is a UsageError: %s', (args, message) => {
    const text = usageMessage(() => parseFlags({ args, options, strict: true, allowPositionals: false }));
    expect(text).toBe(message);
    expect(text).not.toMatch(/To specify/);
  });
});

describe('numberFlag', () => {
  it('gives the fallback when the flag is absent, the value when it is valid', () => {
    expect(numberFlag('--runs', undefined, { integer: true, min: 1, fallback: 5 })).toBe(5);
    expect(numberFlag('--runs', '12', { integer: true, min: 1 })).toBe(12);
    expect(numberFlag('--timeout', '0.5', { above: 0 })).toBe(0.5);
    expect(numberFlag('--port', '65535', { integer: true, min: 0, max: 65535 })).toBe(65535);
  });

  it.each([
    ['--runs', '0', { integer: true, min: 1 }, '--runs must be an integer ≥ 1, got "0"'],
    ['--runs', '1.5', { integer: true, min: 1 }, '--runs must be an integer ≥ 1, got "1.5"'],
    ['--port', '70000', { integer: true, min: 0, max: 65535 }, '--port must be an integer ≥ 0 and ≤ 65535, got "70000"'],
    ['--threshold', '1', { above: 0, below: 1, hint: 'e.g. 0.10 for 10%' }, '--threshold must be a number > 0 and < 1 (e.g. 0.10 for 10%), got "1"'],
    ['--duration', 'abc', { above: 0 }, '--duration must be a number > 0, got "abc"'],
    ['--duration', '', { above: 0 }, '--duration must be a number > 0, got ""'],
    ['--duration', '0x10', { above: 0 }, '--duration must be a number > 0, got "0x10"'],
    ['--duration', '1e3', { above: 0 }, '--duration must be a number > 0, got "1e3"'],
    ['--duration', 'Infinity', { above: 0 }, '--duration must be a number > 0, got "Infinity"'],
  ])('%s %j is refused', (flag, raw, rule, message) => {
    expect(usageMessage(() => numberFlag(flag, raw, rule))).toBe(message);
  });

  it('a flag with no fallback and no value is a UsageError', () => {
    expect(usageMessage(() => numberFlag('--capacity', undefined as unknown as string))).toBe('--capacity needs a value');
  });
});
