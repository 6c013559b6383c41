import { describe, expect, it } from 'vitest';
import { UsageError } from '../cli/args.ts';
import { DEFAULTS, parseOptions } from './options.ts';

describe('parseOptions', () => {
  it('has sane defaults', () => {
    const o = parseOptions([], '/repo');
    expect(o).toMatchObject({ repoDir: '/repo', dbPath: '/repo/data/bench.sqlite', chapters: null, withExperiments: true, scenarios: ['hot', 'mix', 'close'], ...DEFAULTS, force: false, list: false, restoreTags: false, cleanIptables: false, exportDir: null, capacity: null });
    expect(parseOptions(['--clean-iptables']).cleanIptables).toBe(true);
  });
  it('reads every flag', () => {
    const o = parseOptions(['--chapters', 'v1-baseline,v2-x', '--scenario', 'hot,sweep', '--runs', '3', '--duration', '2', '--connections', '8', '--warmup', '0', '--settle', '1', '--tool', 'wrk', '--force', '--export', 'out', '--db', 'x.sqlite', '--repo', 'r', '--capacity', '1200'], '/w');
    expect(o).toMatchObject({ repoDir: '/w/r', dbPath: '/w/x.sqlite', chapters: ['v1-baseline', 'v2-x'], scenarios: ['hot', 'sweep'], runs: 3, durationSeconds: 2, connections: 8, warmupSeconds: 0, settleSeconds: 1, tool: 'wrk', force: true, exportDir: '/w/out', capacity: 1200 });
  });
  it('explains bad flags', () => {
    const bad = (args: string[]) => {
      try {
        parseOptions(args);
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as Error).message;
      }
      throw new Error('no error');
    };
    expect(bad(['--runs', 'five'])).toBe('--runs must be an integer ≥ 1, got "five"');
    expect(bad(['--runs', '0'])).toBe('--runs must be an integer ≥ 1, got "0"');
    expect(bad(['--scenario', 'hot,cold'])).toBe('--scenario: unknown scenario "cold" (known: hot, mix, close, hot-gzip, mix-gzip, sweep, ingest, hot-x4, hot-x16, overload, adaptive-ramp, scaling-ramp, capacity-hot, capacity-mix, capacity-wide, overload-mix, soak, ingest-mix-overload, fairness)');
    expect(bad(['--tool', 'ab'])).toMatch(/unknown load generator "ab" \(known: autocannon, wrk, oha\)/);
    expect(bad(['--bogus'])).toBe('unknown option --bogus');
    expect(bad(['--capacity', '0'])).toMatch(/^--capacity must be a number > 0/);
    expect(bad(['--duration'])).toBe('option --duration needs a value');
    expect(bad(['--settle=-1'])).toBe('--settle must be a number ≥ 0 (seconds, 0 = none), got "-1"');
    expect(parseOptions(['--settle', '0.5', '--warmup', '0.25'])).toMatchObject({ settleSeconds: 0.5, warmupSeconds: 0.25 });
    expect(bad(['--sweep-max-errors', '2'])).toBe('--sweep-max-errors must be a number ≥ 0 and ≤ 1 (a share), got "2"');
  });
  it('reads --merge and the files after it, and nothing positional without it', () => {
    expect(parseOptions([], '/w').merge).toBeNull();
    expect(parseOptions(['--merge', 'a.sqlite', 'm/b.sqlite', '--db', 'out.sqlite'], '/w')).toMatchObject({ merge: ['/w/a.sqlite', '/w/m/b.sqlite'], dbPath: '/w/out.sqlite' });
    expect(() => parseOptions(['stray.sqlite'])).toThrow(new UsageError('unknown verb "stray.sqlite" (known: run, list, merge, restore-tags, clean-iptables, soak)'));
    expect(() => parseOptions(['run', 'stray.sqlite'])).toThrow(new UsageError('unexpected argument "stray.sqlite"'));
    expect(() => parseOptions(['--merge', 'a.sqlite', '--list'])).toThrow(/--merge: cannot be combined with --list/);
  });
  it('profiles only with --profile', () => {
    expect(parseOptions([]).profile).toBe(false);
    expect(parseOptions(['--profile']).profile).toBe(true);
  });

  it('reads a verb first, or the older flag that names it; run when none is named', () => {
    expect(parseOptions([], '/w').verb).toBe('run');
    expect(parseOptions(['run', '--runs', '3'], '/w')).toMatchObject({ verb: 'run', runs: 3 });
    expect(parseOptions(['list'], '/w').verb).toBe('list');
    expect(parseOptions(['--list'], '/w').verb).toBe('list');
    expect(parseOptions(['merge', 'a.sqlite', 'b.sqlite'], '/w')).toMatchObject({ verb: 'merge', merge: ['/w/a.sqlite', '/w/b.sqlite'] });
    expect(parseOptions(['restore-tags'], '/w').verb).toBe('restore-tags');
    expect(parseOptions(['clean-iptables'], '/w').verb).toBe('clean-iptables');
    expect(parseOptions(['soak'], '/w')).toMatchObject({ verb: 'soak', scenarios: ['soak'], runs: 1, chapters: null, withExperiments: false });
    expect(parseOptions(['soak', '--chapters', 'v9-adaptive-limit,v9-adaptive-limit+fixed-64', '--runs', '2'], '/w')).toMatchObject({ verb: 'soak', scenarios: ['soak'], runs: 2, chapters: ['v9-adaptive-limit', 'v9-adaptive-limit+fixed-64'], withExperiments: false });
    expect(() => parseOptions(['soak', '--scenario', 'mix'], '/w')).toThrow(new UsageError('soak: measures the soak scenario only; --scenario does not apply'));
    expect(() => parseOptions(['list', '--restore-tags'], '/w')).toThrow(new UsageError('list and restore-tags cannot be combined: name one verb'));
  });
});
