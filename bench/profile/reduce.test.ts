import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCpuProfile } from './cpuprofile.ts';
import { classifyFrame } from './locate.ts';
import { clipToWindow, functionTimes, reduceProfiles, sampleDurations, topRows, type ProfileRow } from './reduce.ts';
import { buildProfile, frame } from './testing.ts';

const SRC = 'file:///repo/src/app.js';
const locate = (f: Parameters<typeof classifyFrame>[0]) => classifyFrame(f, '/repo');
const row = (rows: ProfileRow[], name: string) => rows.find((r) => r.function === name);

describe('sampleDurations', () => {
  it('gives each sample the time until the next one, the last until endTime', () => {
    const profile = { nodes: [], startTime: 0, endTime: 1000, samples: [1, 2, 1], timeDeltas: [0, 100, 300] };
    expect(sampleDurations(profile)).toEqual([100, 300, 600]);
  });

  it('counts no time for a sample followed by one stamped earlier', () => {
    const profile = { nodes: [], startTime: 0, endTime: 500, samples: [1, 2, 3], timeDeltas: [0, 200, -50] };
    expect(sampleDurations(profile)).toEqual([200, 0, 350]);
  });
});

describe('functionTimes', () => {
  it('weighs samples by their time, not their count', () => {
    const profile = buildProfile([frame('(root)'), [frame('a', SRC, 0)], [frame('b', SRC, 9)]], [[[0], 100], [[1], 300], [[0], 600]]);
    const rows = topRows(functionTimes(profile, locate), 10, 'main');
    expect(row(rows, 'a')!.selfShare).toBeCloseTo(0.7);
    expect(row(rows, 'b')!.selfShare).toBeCloseTo(0.3);
    expect(row(rows, 'a')!.selfMs).toBeCloseTo(0.7);
  });

  it('counts a recursive function once per stack in its total', () => {
    // (root) → f → g → f → f; one sample in the innermost f, one in g.
    const f = frame('f', SRC, 0);
    const profile = buildProfile([frame('(root)'), [f, [frame('g', SRC, 4), [f, [f]]]]], [[[0, 0, 0, 0], 100], [[0, 0], 100]]);
    const times = functionTimes(profile, locate);
    const byName = Object.fromEntries(times.functions.map((t) => [t.function, t]));
    expect(times.sampledUs).toBe(200);
    expect(byName.f).toMatchObject({ selfUs: 100, totalUs: 200 });
    expect(byName.g).toMatchObject({ selfUs: 100, totalUs: 200 });
  });

  it('adds up one function reached by several call paths', () => {
    const c = frame('c', SRC, 20);
    const profile = buildProfile([frame('(root)'), [frame('a', SRC, 0), [c]], [frame('b', SRC, 10), [c]]], [[[0, 0], 100], [[1, 0], 300]]);
    const rows = topRows(functionTimes(profile, locate), 10, 'main');
    expect(row(rows, 'c')).toMatchObject({ rank: 1, selfShare: 1, totalShare: 1, file: 'src/app.js', line: 21 });
    expect(row(rows, 'b')).toMatchObject({ selfShare: 0, totalShare: 0.75 });
  });

  it('keeps V8 categories as rows, leaves (root) out and names anonymous functions', () => {
    const profile = buildProfile(
      [frame('(root)'), [frame('(idle)')], [frame('(garbage collector)')], [frame('(program)')], [frame('', SRC, 3)]],
      [[[0], 100], [[1], 100], [[2], 100], [[3], 100]],
    );
    const rows = topRows(functionTimes(profile, locate), 10, 'main');
    expect(rows.map((r) => [r.function, r.file, r.line])).toEqual(
      expect.arrayContaining([['(idle)', '(idle)', null], ['(garbage collector)', '(garbage collector)', null], ['(program)', '(program)', null], ['(anonymous)', 'src/app.js', 4]]),
    );
    expect(row(rows, '(root)')).toBeUndefined();
  });
});

describe('topRows', () => {
  const profile = buildProfile(
    [frame('(root)'), [frame('main', SRC, 0), [frame('a', SRC, 1)], [frame('b', SRC, 2)], [frame('c', SRC, 3)]]],
    [[[0, 0], 500], [[0, 1], 300], [[0, 2], 150], [[0], 50]],
  );

  it('ranks by self time and sums the rest into one row without a total share', () => {
    const rows = topRows(functionTimes(profile, locate), 2, 'main');
    expect(rows.map((r) => [r.rank, r.function])).toEqual([[1, 'a'], [2, 'b'], [3, '(2 other functions)']]);
    expect(rows[2]).toMatchObject({ file: '(rest)', line: null, totalShare: null });
    expect(rows[2].selfShare).toBeCloseTo(0.2);
    expect(rows.reduce((sum, r) => sum + r.selfShare, 0)).toBeCloseTo(1);
  });

  it('has no rest row when every function fits', () => {
    expect(topRows(functionTimes(profile, locate), 4, 'main').map((r) => r.function)).toEqual(['a', 'b', 'c', 'main']);
  });

  it('rejects a non-positive top and a profile without time', () => {
    expect(() => topRows(functionTimes(profile, locate), 0, 'main')).toThrow(/positive integer/);
    expect(() => topRows({ sampledUs: 0, functions: [] }, 5, 'main')).toThrow(/no sampled time/);
  });
});

describe('reduceProfiles', () => {
  it('gives several processes a merged table first, then one table each', () => {
    const work = frame('work', SRC, 0);
    const main = buildProfile([frame('(root)'), [frame('(idle)')]], [[[0], 300]]);
    const worker = buildProfile([frame('(root)'), [work], [frame('(idle)')]], [[[0], 600], [[1], 100]]);
    const rows = reduceProfiles([{ process: 'main', profile: main }, { process: 'worker-1', profile: worker }], locate, 5);
    expect([...new Set(rows.map((r) => r.process))]).toEqual(['all', 'main', 'worker-1']);
    const all = rows.filter((r) => r.process === 'all');
    expect(row(all, 'work')!.selfShare).toBeCloseTo(0.6);
    expect(row(all, '(idle)')!.selfShare).toBeCloseTo(0.4);
    expect(row(rows.filter((r) => r.process === 'worker-1'), 'work')!.selfShare).toBeCloseTo(6 / 7);
  });

  it('gives a single process its table alone', () => {
    const profile = buildProfile([frame('(root)'), [frame('(idle)')]], [[[0], 300]]);
    expect(reduceProfiles([{ process: 'main', profile }], locate, 5).map((r) => r.process)).toEqual(['main']);
    expect(() => reduceProfiles([], locate, 5)).toThrow(/no CPU profile/);
  });
});

describe('a real profile (tiny node:http server under wrk, fixtures/record.ts)', () => {
  const path = new URL('./fixtures/tiny-http.cpuprofile', import.meta.url);
  const profile = parseCpuProfile(readFileSync(path, 'utf8'), path.pathname);
  const times = functionTimes(profile, locate);
  const rows = topRows(times, 1000, 'main');

  it('accounts for all the time between the first sample and the end', () => {
    expect(times.sampledUs).toBeCloseTo(profile.endTime - profile.startTime - profile.timeDeltas[0], 0);
    expect(rows.reduce((sum, r) => sum + r.selfShare, 0)).toBeCloseTo(1);
  });

  it('finds the server own functions at their repo-relative place, callers enclosing callees', () => {
    const handle = row(rows, 'handleSearch')!;
    const match = row(rows, 'matchEvents')!;
    expect(handle).toMatchObject({ file: 'bench/profile/fixtures/tiny-server.mjs', line: 12 });
    expect(match).toMatchObject({ file: 'bench/profile/fixtures/tiny-server.mjs', line: 8 });
    expect(handle.totalShare!).toBeGreaterThanOrEqual(match.totalShare!);
    for (const r of rows) {
      expect(r.totalShare!).toBeGreaterThanOrEqual(r.selfShare - 1e-12);
      expect(r.totalShare!).toBeLessThanOrEqual(1 + 1e-12);
    }
  });

  it('names Node internals node:… and keeps the categories', () => {
    expect(rows.some((r) => r.file.startsWith('node:'))).toBe(true);
    expect(rows.map((r) => r.file)).toEqual(expect.arrayContaining(['(program)', '(garbage collector)']));
  });
});

describe('clipToWindow', () => {
  // Samples at 1010 (a), 1110 (b), 1410 (a); end 2010.
  const profile = buildProfile([frame('(root)'), [frame('a', SRC, 0)], [frame('b', SRC, 9)]], [[[0], 100], [[1], 300], [[0], 600]]);

  it('keeps only the samples taken inside the window, the last one lasting until its end', () => {
    const clipped = clipToWindow(profile, 1100, 1500);
    expect(sampleDurations(clipped)).toEqual([300, 90]);
    const rows = topRows(functionTimes(clipped, locate), 10, 'main');
    expect(row(rows, 'b')!.selfShare).toBeCloseTo(300 / 390);
    expect(row(rows, 'a')!.selfShare).toBeCloseTo(90 / 390);
  });

  it('rejects an empty or inverted window', () => {
    expect(() => clipToWindow(profile, 5000, 6000)).toThrow(/no sample between 5000 and 6000/);
    expect(() => clipToWindow(profile, 1500, 1100)).toThrow(/must start before it ends/);
  });
});

describe('reduceProfiles with a window', () => {
  it('reduces only the samples inside it', () => {
    const profile = buildProfile([frame('(root)'), [frame('start', SRC, 0)], [frame('serve', SRC, 9)]], [[[0], 500], [[1], 100], [[1], 100]]);
    const rows = reduceProfiles([{ process: 'main', profile }], locate, 5, { fromUs: 1500, toUs: 1710 });
    expect(rows.map((r) => [r.function, r.selfShare])).toEqual([['serve', 1]]);
  });
});
