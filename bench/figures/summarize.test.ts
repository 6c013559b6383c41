import { describe, expect, it } from 'vitest';
import { RATIO_NOTE_SATURATED, summarize, type RunOutcome } from './summarize.ts';

// In the session's order the reference runs first in every round: reference at 2·round, the chapter at 2·round + 1.
const run = (round: number, rps: number | null, extra: Partial<RunOutcome> = {}): RunOutcome => ({
  run_index: round,
  sequence: 2 * round + 1,
  status: rps === null ? 'failed' : 'ok',
  connections: 32,
  requests_per_second: rps,
  avg_latency_us: rps === null ? null : 1000 + round,
  p50_latency_us: 900,
  p90_latency_us: 1500,
  p99_latency_us: rps === null ? null : 3000 + round * 100,
  max_latency_us: 9000,
  loadgen_saturated: false,
  ...extra,
});

const reference = (rps: (number | null)[], extra: Partial<RunOutcome> = {}) => rps.map((r, round) => run(round, r, { sequence: 2 * round, ...extra }));

describe('summarize', () => {
  it('counts failed runs apart and pairs each run with the reference around it', () => {
    const runs = [run(0, 1000), run(1, 1100), run(2, null), run(3, 900), run(4, 1000)];
    // The machine slows down steadily (×0.9 per slot); each chapter run sits between two reference runs.
    const s = summarize(
      runs.map((r) => (r.requests_per_second === null ? r : { ...r, requests_per_second: r.requests_per_second * 0.9 ** r.sequence! })),
      reference([2000, 2000, 2000, 2000, 2000, 2000]).map((r) => ({ ...r, requests_per_second: 2000 * 0.9 ** r.sequence! })),
    );
    expect(s.runs).toBe(4);
    expect(s.failed_runs).toBe(1);
    expect(s.ratio_median).toBeCloseTo(0.5, 12); // ratios ½, 0.55, 0.45, ½: the drift cancelled
    expect(s.ratio_cv).toBeCloseTo(Math.sqrt(0.005 / 3) / 0.5, 12);
    expect(s.ratio_note).toBeNull();
    expect(s.p99_latency_us).toBe(3200); // median of 3000, 3100, 3300, 3400
    expect(s.saturated_runs).toBe(0);
    expect(s.capacity_connections).toBeNull();
  });

  it('leaves a failed reference run out: its neighbours stand in', () => {
    const s = summarize([run(0, 1000), run(1, 1000), run(2, 1000)], reference([2000, null, 2000]));
    expect(s.ratio_median).toBeCloseTo(0.5, 12);
    expect(s.ratio_cv).toBeCloseTo(0, 12);
  });

  it('gives no ratio, and says why, when the chapter or the reference was load-generator bound', () => {
    const chapterBound = summarize([run(0, 1000), run(1, 1000, { loadgen_saturated: true })], reference([2000, 2000]));
    expect(chapterBound).toMatchObject({ rps_median: 1000, saturated_runs: 1, ratio_median: null, ratio_ci_low: null, ratio_ci_high: null, ratio_cv: null });
    expect(chapterBound.ratio_note).toBe(`${RATIO_NOTE_SATURATED} (chapter runs)`);
    const referenceBound = summarize([run(0, 1000), run(1, 1000)], reference([2000, 2000], { loadgen_saturated: true }));
    expect(referenceBound).toMatchObject({ rps_median: 1000, saturated_runs: 0, ratio_median: null, ratio_note: `${RATIO_NOTE_SATURATED} (reference runs)` });
  });

  it('gives no interval and no CV from one run, and no ratio without a reference', () => {
    const s = summarize([run(0, 1234)]);
    expect(s).toMatchObject({ runs: 1, rps_median: 1234, rps_ci_low: null, rps_ci_high: null, rps_cv: null, ratio_median: null, ratio_note: null });
  });

  it('reports nothing measured when every run failed', () => {
    const s = summarize([run(0, null), run(1, null)], reference([5, 5]));
    expect(s).toMatchObject({ runs: 0, failed_runs: 2, rps_median: null, ratio_median: null, p99_latency_us: null });
  });

  it('summarises a sweep by the last healthy step of each round', () => {
    const runs = [
      run(0, 500, { connections: 1, capacity: false }), run(0, 900, { connections: 2, capacity: true }), run(0, 950, { connections: 4, capacity: false }),
      run(1, 520, { connections: 1, capacity: false }), run(1, 880, { connections: 2, capacity: false }), run(1, 1000, { connections: 4, capacity: true }),
    ];
    const s = summarize(runs);
    expect(s.runs).toBe(2);
    expect(s.capacity_connections).toBe(3);
    expect(s.capacity_rps).toBe(950);
  });
});
