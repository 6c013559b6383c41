/**
 * The fairness view on a real database: rounds pooled per step, the Wilson interval of the
 * pooled polite share (the same as bench/stats/proportion.ts), and a step counted only when
 * its generator was not the limit and it offered its rate.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BenchStore } from '../../bench/store.ts';
import { wilsonInterval } from '../../bench/stats/proportion.ts';
import type { FairnessStepRow } from '../schema.ts';

const machine = { fingerprint: 'here', cpu_model: 'cpu', cores: 2, memory_bytes: 1, kernel: 'k', os: 'linux', node_version: 'v20', details_json: '{"arch":"x64"}' };

function step(over: Partial<FairnessStepRow>): FairnessStepRow {
  return {
    step_multiplier: 2, polite_connection: 'new', capacity_rps: 1000, capacity_source: 'measured', settled_seconds: 10,
    offered_rps: 2000, goodput_rps: 900, p99_served_us: null, rejection_rate: 0.55, polite_interval_ms: 250, polite_within_ms: 50,
    polite_sent: 40, polite_ok_fast: 40, polite_share: 1, polite_p99_us: 3000, polite_statuses: '{"200":40}', generator_behind: 0,
    target_rps: 2000, greedy_connections: 512, greedy_cpu_share: 0.4, greedy_socket_errors: 0, offered_short: 0,
    polite_share_low: null, polite_share_high: null, polite_send_lag_max_us: 200, server_cpu_share: 1, loop_thread_share: 0.9, server_in_flight: 2049, server_limit: 32, ...over,
  };
}

/** A store on a temporary file with one complete session on one machine. */
async function completeSession(): Promise<{ s: BenchStore; id: number }> {
  const s = await BenchStore.open(join(mkdtempSync(join(tmpdir(), 'fairness-view-')), 'bench.sqlite'));
  s.recordMachine(machine);
  const id = s.startSession({ started_at: '2026-01-01T00:00:00Z', harness_commit: 'c', harness_dirty: false, machine_fingerprint: 'here', tool: 'wrk', tool_version: '4', server_cpus: '0', loadgen_cpus: '1', pinning_note: 'pinned', settings: {} });
  s.finishSession(id, 'complete');
  return { s, id };
}

describe('fairness_summary', () => {
  it('pools the rounds of a step, with the Wilson interval of the pooled polite share', async () => {
    const { s, id } = await completeSession();
    const fair = s.seriesWriter('fairness_steps', { sessionId: id, subject: 'v14', experiment: '', scenario: 'fairness' });
    fair.write(step({ polite_ok_fast: 40, goodput_rps: 900 }));
    fair.write(step({ polite_ok_fast: 37, polite_share: 37 / 40, goodput_rps: 1100, server_cpu_share: 0.9, loop_thread_share: 0.2 }));
    const unfair = s.seriesWriter('fairness_steps', { sessionId: id, subject: 'v14', experiment: 'unfair-limit', scenario: 'fairness' });
    unfair.write(step({ polite_ok_fast: 0, polite_share: 0, offered_rps: 1500, offered_short: 1 }));
    unfair.write(step({ polite_ok_fast: 0, polite_share: 0, generator_behind: 1, greedy_cpu_share: 0.95 }));

    const rows = s.rows("SELECT experiment, rounds, polite_sent, polite_ok_fast, polite_share, polite_share_low, polite_share_high, offered_multiple, goodput_rps, goodput_rps_low, generator_limited, offered_short, counts, server_cpu_share, loop_thread_share FROM fairness_summary ORDER BY experiment");
    const pooled = wilsonInterval(77, 80)!;
    expect(rows[0]).toMatchObject({ experiment: '', rounds: 2, polite_sent: 80, polite_ok_fast: 77, offered_multiple: 2, goodput_rps: 1000, goodput_rps_low: 900, generator_limited: 0, offered_short: 0, counts: 1 });
    expect(rows[0].polite_share as number).toBeCloseTo(77 / 80, 12);
    expect(rows[0].server_cpu_share as number).toBeCloseTo(0.95, 12); // means over the rounds
    expect(rows[0].loop_thread_share as number).toBeCloseTo(0.55, 12);
    expect(rows[0].polite_share_low as number).toBeCloseTo(pooled.low, 5);
    expect(rows[0].polite_share_high as number).toBeCloseTo(pooled.high, 5);
    expect(rows[1]).toMatchObject({ experiment: 'unfair-limit', polite_share: 0, polite_share_low: 0, generator_limited: 1, offered_short: 1, counts: 0 });
    expect(rows[1].polite_share_high as number).toBeCloseTo(wilsonInterval(0, 80)!.high, 5);

    // The target, judged on counted steps only; the uncounted experiment has none to judge by.
    // 77 of 80 (96%) clears 90% by its share, not by its interval's low end (wilsonInterval(77, 80).low < 0.9).
    expect(pooled.low).toBeLessThan(0.9);
    const targets = s.rows('SELECT experiment, steps, counted, missed_on_share, missed_on_low_end, collapsed, worst_ok, worst_sent FROM fairness_targets ORDER BY experiment');
    expect(targets).toEqual([
      { experiment: '', steps: 1, counted: 1, missed_on_share: 0, missed_on_low_end: 1, collapsed: 0, worst_ok: 77, worst_sent: 80 },
      { experiment: 'unfair-limit', steps: 1, counted: 0, missed_on_share: 0, missed_on_low_end: 0, collapsed: 0, worst_ok: 0, worst_sent: 80 },
    ]);
    expect(s.rows('SELECT verdict FROM fairness_targets ORDER BY experiment').map((r) => r.verdict)).toEqual([
      'missed at 1 of the 1 counted steps and connections by the low end of the interval (0 by the share itself); at worst the polite client was answered in time 77 of 80',
      'not met: no step counted (the greedy client short of its level or at the end of its core in all 1; the server collapsed in 0), and the polite client was answered in time 0 of 80 at worst',
    ]);
  });

  it('sums the polite searches refused (503) over the rounds of a step, from each round’s statuses', async () => {
    const { s, id } = await completeSession();
    const fair = s.seriesWriter('fairness_steps', { sessionId: id, subject: 'v14', experiment: '', scenario: 'fairness' });
    fair.write(step({}));
    fair.write(step({ step_multiplier: 5, polite_ok_fast: 10, polite_statuses: '{"200":15,"503":25}' }));
    fair.write(step({ step_multiplier: 5, polite_ok_fast: 12, polite_statuses: '{"200":38,"503":2}' }));
    expect(s.rows('SELECT step_multiplier, polite_refused FROM fairness_summary ORDER BY step_multiplier')).toEqual([
      { step_multiplier: 2, polite_refused: 0 },
      { step_multiplier: 5, polite_refused: 27 },
    ]);
  });

  it('counts a collapsed step and a miss by the low end of the interval that the share itself clears', async () => {
    const { s, id } = await completeSession();
    const fair = s.seriesWriter('fairness_steps', { sessionId: id, subject: 'v14', experiment: '', scenario: 'fairness' });
    fair.write(step({ polite_ok_fast: 37, polite_share: 37 / 40 })); // 92.5%, its interval's low end under 90%
    fair.write(step({ step_multiplier: 5, polite_ok_fast: 0, polite_share: 0, goodput_rps: 80, offered_rps: 4000, target_rps: 5000 })); // collapsed, and counted
    const [target] = s.rows("SELECT steps, counted, missed_on_share, missed_on_low_end, collapsed, worst_ok, worst_sent FROM fairness_targets WHERE tag = 'v14'");
    expect(target).toEqual({ steps: 2, counted: 2, missed_on_share: 1, missed_on_low_end: 2, collapsed: 1, worst_ok: 0, worst_sent: 40 });
    expect(s.rows("SELECT verdict FROM fairness_targets WHERE tag = 'v14'")[0].verdict).toBe(
      'missed at 2 of the 2 counted steps and connections by the low end of the interval (1 by the share itself); at worst the polite client was answered in time 0 of 40');
  });

  it('reads "at worst" over the counted steps when any counted, over every step when none did', async () => {
    const { s, id } = await completeSession();
    const fair = s.seriesWriter('fairness_steps', { sessionId: id, subject: 'v14', experiment: '', scenario: 'fairness' });
    fair.write(step({ polite_ok_fast: 37, polite_share: 37 / 40 })); // counted, the worst of the counted
    fair.write(step({ step_multiplier: 5, polite_ok_fast: 0, polite_share: 0, generator_behind: 1 })); // worse, but the generator's figure
    const unfair = s.seriesWriter('fairness_steps', { sessionId: id, subject: 'v14', experiment: 'unfair-limit', scenario: 'fairness' });
    unfair.write(step({ polite_ok_fast: 30, polite_share: 30 / 40, offered_short: 1 }));
    unfair.write(step({ step_multiplier: 5, polite_ok_fast: 20, polite_share: 20 / 40, generator_behind: 1 }));
    expect(s.rows('SELECT experiment, counted, worst_ok, worst_sent FROM fairness_targets ORDER BY experiment')).toEqual([
      { experiment: '', counted: 1, worst_ok: 37, worst_sent: 40 },
      { experiment: 'unfair-limit', counted: 0, worst_ok: 20, worst_sent: 40 },
    ]);
    expect(s.rows("SELECT verdict FROM fairness_targets WHERE experiment = ''")[0].verdict).toBe(
      'missed at 1 of the 1 counted steps and connections by the low end of the interval (0 by the share itself); at worst the polite client was answered in time 37 of 40');
  });

  it('judges the goodput against the unfair limit only where both counted', async () => {
    const { s, id } = await completeSession();
    const fair = s.seriesWriter('fairness_steps', { sessionId: id, subject: 'v18', experiment: '', scenario: 'fairness' });
    const unfair = s.seriesWriter('fairness_steps', { sessionId: id, subject: 'v18', experiment: 'unfair-limit', scenario: 'fairness' });
    fair.write(step({ goodput_rps: 950 })); // within 10% of 1,000
    unfair.write(step({ goodput_rps: 1000 }));
    fair.write(step({ step_multiplier: 5, goodput_rps: 850, offered_rps: 5000, target_rps: 5000 })); // more than 10% below
    unfair.write(step({ step_multiplier: 5, goodput_rps: 1000, offered_rps: 5000, target_rps: 5000 }));
    fair.write(step({ polite_connection: 'kept-alive', goodput_rps: 100 })); // the unfair limit's step did not count
    unfair.write(step({ polite_connection: 'kept-alive', goodput_rps: 1000, generator_behind: 1 }));
    const targets = s.rows("SELECT experiment, goodput_judged, goodput_missed, goodput_verdict FROM fairness_targets WHERE tag = 'v18' ORDER BY experiment");
    expect(targets).toEqual([
      { experiment: '', goodput_judged: 2, goodput_missed: 1,
        goodput_verdict: 'the goodput fell more than 10% below the unfair limit\'s at 1 of the 2 steps and connections where both counted' },
      { experiment: 'unfair-limit', goodput_judged: 2, goodput_missed: 0, goodput_verdict: null },
    ]);
  });
});
