import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/args.ts';
import { DEFAULTS, parseGateArgs } from './args.ts';

describe('parseGateArgs', () => {
  it('applies the defaults', () => {
    expect(parseGateArgs(['--base', 'main~1', '--head', 'main'])).toEqual({
      base: 'main~1',
      head: 'main',
      threshold: DEFAULTS.threshold,
      pairs: DEFAULTS.pairs,
      durationSeconds: DEFAULTS.durationSeconds,
      connections: DEFAULTS.connections,
      warmupSeconds: DEFAULTS.warmupSeconds,
      tool: 'wrk',
      repo: '.',
      path: null,
      report: null,
      summary: false,
      costRequests: DEFAULTS.costRequests,
      costWindows: DEFAULTS.costWindows,
    });
  });

  it('reads every flag', () => {
    const o = parseGateArgs(['--base=a', '--head=b', '--threshold', '0.05', '--pairs', '8', '--duration', '3', '--connections', '4', '--warmup', '0', '--tool', 'wrk', '--path', '/x', '--repo', '/tmp/r', '--report', 'r.md', '--summary', '--cost-requests', '0', '--cost-windows', '3']);
    expect(o).toMatchObject({ costRequests: 0, costWindows: 3, threshold: 0.05, pairs: 8, durationSeconds: 3, connections: 4, warmupSeconds: 0, tool: 'wrk', path: '/x', repo: '/tmp/r', report: 'r.md', summary: true });
  });

  it('returns null for --help', () => {
    expect(parseGateArgs(['--help'])).toBeNull();
  });

  it.each([
    [['--head', 'b'], /--base <ref> is required/],
    [['--base', 'a'], /--head <ref> is required/],
    [['--base', 'a', '--head', 'b', '--threshold', '10'], '--threshold must be a number > 0 and < 1 (a fraction, e.g. 0.10 for 10%), got "10"'],
    [['--base', 'a', '--head', 'b', '--threshold', 'ten'], '--threshold must be a number > 0 and < 1 (a fraction, e.g. 0.10 for 10%), got "ten"'],
    [['--base', 'a', '--head', 'b', '--pairs', '5'], '--pairs must be an integer ≥ 6 (the fewest with a distribution-free 95% interval), got "5"'],
    [['--base', 'a', '--head', 'b', '--pairs', '6.5'], '--pairs must be an integer ≥ 6 (the fewest with a distribution-free 95% interval), got "6.5"'],
    [['--base', 'a', '--head', 'b', '--duration', '0'], '--duration must be an integer ≥ 1 (seconds), got "0"'],
    [['--base', 'a', '--head', 'b', '--connections', ''], '--connections must be an integer ≥ 1, got ""'],
    [['--base', 'a', '--head', 'b', '--tool', 'ab'], /--tool must be one of autocannon, wrk, oha/],
    [['--base', 'a', '--head', 'b', '--path', 'search'], /--path must start with/],
    [['--base', 'a', '--head', 'b', '--cost-requests', '1.5'], '--cost-requests must be an integer ≥ 0 (requests, 0 = throughput only), got "1.5"'],
    [['--base', 'a', '--head', 'b', '--cost-windows', '1'], '--cost-windows must be an integer ≥ 2 (the lowest window is confirmed by the next lowest), got "1"'],
    [['--base', 'a', '--head', 'b', '--bogus'], 'unknown option --bogus'],
    [['--base', 'a', '--head', 'b', 'extra'], 'unexpected argument "extra"'],
  ])('rejects %j with a readable UsageError', (argv, message) => {
    expect(() => parseGateArgs(argv)).toThrow(UsageError);
    expect(() => parseGateArgs(argv)).toThrow(message);
  });
});
