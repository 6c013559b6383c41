import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/args.ts';
import { COST_DEFAULTS, parseCostArgs } from './args.ts';
import { DEFAULT_NODE_FLAGS } from './command.ts';

describe('parseCostArgs', () => {
  it('applies the defaults', () => {
    expect(parseCostArgs(['--ref', 'v1-baseline'])).toEqual({
      ref: 'v1-baseline',
      repo: '.',
      scenario: COST_DEFAULTS.scenario,
      requests: COST_DEFAULTS.requests,
      reps: COST_DEFAULTS.reps,
      warmup: COST_DEFAULTS.warmup,
      layout: 'windows',
      nodeFlags: [...DEFAULT_NODE_FLAGS],
      readyTimeoutSeconds: COST_DEFAULTS.readyTimeoutSeconds,
      json: false,
      keepDumps: null,
    });
  });

  it('reads every flag', () => {
    const options = parseCostArgs(['--ref', 'HEAD', '--scenario', 'mix', '--requests', '64', '--reps', '3', '--warmup', '0', '--layout', 'processes', '--node-flags=--predictable  --single-threaded', '--json', '--keep-dumps', 'dumps']);
    expect(options).toMatchObject({ scenario: 'mix', requests: 64, reps: 3, warmup: 0, layout: 'processes', nodeFlags: ['--predictable', '--single-threaded'], json: true, keepDumps: 'dumps' });
    expect(() => parseCostArgs(['--record', '--keep-dumps', 'dumps'])).toThrow(/--keep-dumps goes with --ref/);
    expect(parseCostArgs(['--ref', 'HEAD', '--node-flags', ''])?.nodeFlags).toEqual([]);
  });

  it('returns null for --help', () => {
    expect(parseCostArgs(['--help'])).toBeNull();
  });

  it('explains bad flags with a UsageError', () => {
    const bad = (argv: string[], message: RegExp | string) => {
      expect(() => parseCostArgs(argv)).toThrow(UsageError);
      expect(() => parseCostArgs(argv)).toThrow(message);
    };
    bad([], /--ref <commit-ish> is required/);
    bad(['--ref', 'x', '--scenario', 'close'], /--scenario must be hot or mix, got "close"/);
    bad(['--ref', 'x', '--requests', '0'], '--requests must be an integer ≥ 1, got "0"');
    bad(['--ref', 'x', '--reps', '2.5'], '--reps must be an integer ≥ 1, got "2.5"');
    bad(['--ref', 'x', '--layout', 'threads'], /--layout must be windows or processes/);
    bad(['--ref', 'x', '--node-flags', 'predictable'], /--node-flags takes node options such as --predictable, got "predictable"/);
    bad(['--ref', 'x', '--bogus'], 'unknown option --bogus');
  });
});
