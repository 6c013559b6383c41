import { describe, expect, it } from 'vitest';
import { formatProfiles, formatTable, formatThreads, placeOf } from './format.ts';
import { profileThreads } from './run.ts';
import type { ProfileRow } from './reduce.ts';

const rows: ProfileRow[] = [
  { process: 'main', rank: 1, function: 'searchEvents', file: 'server/src/search.ts', line: 42, selfShare: 0.4123, totalShare: 0.8, selfMs: 412.3 },
  { process: 'main', rank: 2, function: '(idle)', file: '(idle)', line: null, selfShare: 0.3, totalShare: 0.3, selfMs: 300 },
  { process: 'main', rank: 3, function: '(4 other functions)', file: '(rest)', line: null, selfShare: 0.2877, totalShare: null, selfMs: 287.7 },
];

describe('formatTable', () => {
  it('prints an aligned Markdown table, percentages to a tenth, no total for the rest', () => {
    expect(formatTable(rows)).toBe(
      [
        '|   # | function            | where                   |   self |  total | self ms |',
        '| --: | ------------------- | ----------------------- | -----: | -----: | ------: |',
        '|   1 | searchEvents        | server/src/search.ts:42 | 41.2 % | 80.0 % |   412.3 |',
        '|   2 | (idle)              | (idle)                  | 30.0 % | 30.0 % |   300.0 |',
        '|   3 | (4 other functions) | (rest)                  | 28.8 % |        |   287.7 |',
      ].join('\n'),
    );
  });

  it('escapes pipes in names', () => {
    expect(formatTable([{ ...rows[0], function: 'a|b' }])).toContain('a\\|b');
  });
});

describe('formatProfiles', () => {
  it('heads each process table when there are several', () => {
    const text = formatProfiles([...rows.map((r) => ({ ...r, process: 'all' })), ...rows.map((r) => ({ ...r, process: 'worker-1' }))]);
    expect(text.indexOf('process all')).toBe(0);
    expect(text).toContain('\n\nprocess worker-1\n\n|   # |');
    expect(formatProfiles(rows)).not.toContain('process');
  });

  it('names a place with or without a line', () => {
    expect(placeOf({ file: 'express', line: null })).toBe('express');
    expect(placeOf({ file: 'a.ts', line: 3 })).toBe('a.ts:3');
  });
});

describe('profileThreads and formatThreads', () => {
  it('gives the CPU of the loop threads and of the others over the window, and says what the table cannot show', () => {
    const threads = profileThreads({ loopNs: 1e9, otherNs: 0.5e9 }, { loopNs: 4e9, otherNs: 1.5e9 }, 4);
    expect(threads).toEqual({ windowSeconds: 4, loopCpuSeconds: 3, otherCpuSeconds: 1 });
    expect(formatThreads(threads)).toBe(
      "CPU by thread over the window (/proc): event loop 3.00 s, other threads 1.00 s (25.0% of the server's CPU): libuv's pool (zlib), V8's helpers and workers, which the table above (the event loop's samples) does not show");
  });
  it('never gives a negative time when a thread exited between the readings', () => {
    expect(profileThreads({ loopNs: 2e9, otherNs: 3e9 }, { loopNs: 2e9, otherNs: 1e9 }, 1)).toEqual({ windowSeconds: 1, loopCpuSeconds: 0, otherCpuSeconds: 0 });
  });
});
