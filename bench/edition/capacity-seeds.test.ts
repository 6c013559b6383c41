import { describe, expect, it } from 'vitest';
import { BenchStore } from '../store.ts';
import { capacitySeeds, carriedSeeds, probesToFind } from './capacity-seeds.ts';

/** A session on a machine of this CPU model whose capacity-mix probes of `subject` are `probes` ([rate, met]). */
function searched(store: BenchStore, cpu: string, status: 'complete' | 'interrupted', subject: string, probes: [number, boolean][], experiment = ''): number {
  const fingerprint = `fp-${cpu}`;
  store.db.run(`INSERT OR IGNORE INTO machine_info(fingerprint, cpu_model, cores, memory_bytes, kernel, os, node_version) VALUES (?, ?, 2, 1, 'k', 'linux', 'v20')`, [fingerprint, cpu]);
  const id = store.startSession({
    started_at: '2026-12-06T03:00:00Z', harness_commit: 'h', harness_dirty: 0, machine_fingerprint: fingerprint, tool: 'wrk', tool_version: '4',
    server_cpus: null, loadgen_cpus: null, pinning_note: null, settings: {},
  });
  probes.forEach(([rate, met], i) => store.db.run(
    `INSERT INTO capacity_probes(session_id, subject, experiment, scenario, request_set, round, probe_index, offered_rate, measured_seconds, objective_p99_us, objective_error_rate, meets, generator_behind, verdict)
     VALUES (?, ?, ?, 'capacity-mix', 'mix', 0, ?, ?, 2, 50000, 0.001, ?, 0, '')`,
    [id, subject, experiment, i, rate, met ? 1 : 0],
  ));
  store.finishSession(id, status);
  return id;
}

describe('capacity seeds', () => {
  it("are each subject's capacity in the latest complete session of this machine kind", async () => {
    const store = await BenchStore.open(':memory:');
    searched(store, 'AMD', 'complete', 'v1', [[1000, true], [2000, false], [1500, true], [1750, false]]);
    searched(store, 'AMD', 'complete', 'v1', [[1000, true], [2000, true], [4000, false], [3000, false], [2500, true]]);
    searched(store, 'AMD', 'interrupted', 'v1', [[9000, true]]);
    searched(store, 'Intel', 'complete', 'v2', [[8000, true]]);
    searched(store, 'AMD', 'complete', 'v2', [[1000, false], [500, true]], 'exp');
    expect(capacitySeeds(store, { cpu_model: 'AMD', cores: 2 }, 'capacity-mix', ['v1', 'v2', 'v2+exp'])).toEqual({ v1: 2500, 'v2+exp': 500 });
    expect(capacitySeeds(store, { cpu_model: 'AMD', cores: 4 }, 'capacity-mix', ['v1'])).toEqual({});
    expect(capacitySeeds(store, { cpu_model: 'AMD', cores: 2 }, 'capacity-hot', ['v1'])).toEqual({});
  });

  it('carry a capacity searched elsewhere over by the closed loop on the same requests: capacity there × throughput here ÷ there', async () => {
    const store = await BenchStore.open(':memory:');
    const mix = (session: number, subject: string, rps: number) => store.db.run(
      `INSERT INTO summaries(session_id, subject, experiment, scenario, settings_key, runs, failed_runs, rps_median) VALUES (?, ?, '', 'mix', 'k', 6, 0, ?)`, [session, subject, rps]);
    const amd = searched(store, 'AMD', 'complete', 'v1', [[1000, true], [2000, true], [4000, false], [3000, false], [2500, true]]);
    mix(amd, 'v1', 10_000);
    searched(store, 'AMD', 'complete', 'v2', [[1000, true]]); // no closed loop there: nothing to carry
    const edition = searched(store, 'Intel', 'interrupted', 'v3', []);
    mix(edition, 'v1', 6000);
    mix(edition, 'v2', 6000);
    expect(carriedSeeds(store, edition, 'capacity-mix', ['v1', 'v2'])).toEqual({ v1: { seed: 1500, from: amd } });
    expect(carriedSeeds(store, edition, 'capacity-hot', ['v1'])).toEqual({});
  });

  it('are worth the probes they save: a search from a seed near the capacity makes fewer than the doubling from 1,000 req/s', () => {
    expect(probesToFind(2500, undefined)).toBe(6); // 1000, 2000, 4000 missed, 3000 missed, 2500, 2750 missed
    expect(probesToFind(2500, 2400)).toBe(2); // 2400, 2640 missed: within 10%
    expect(probesToFind(2500, 500)).toBe(9); // a seed five times too low costs more than none
  });
});

