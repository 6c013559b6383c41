import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BenchStore } from '../store.ts';
import { createTinyRepo } from '../testing/tiny-repo.ts';
import { COST_DEFAULTS } from '../cost/args.ts';
import { DEFAULT_NODE_FLAGS } from '../cost/command.ts';
import { COST_METHOD } from '../cost/rest.ts';
import { costKeys, reusableCosts } from './cost.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const VALGRIND = 'valgrind-3.19.0';

/** A cost session on a machine of this CPU model, counting these chapters (commit) on these scenarios. */
function costSession(store: BenchStore, cpu: string, counts: { tag: string; commit: string; scenarios: string[]; node?: string }[]): number {
  const fingerprint = `fp-${cpu}`;
  store.db.run(`INSERT OR IGNORE INTO machine_info(fingerprint, cpu_model, cores, memory_bytes, kernel, os, node_version) VALUES (?, ?, 2, 1, 'k', 'linux', 'v20')`, [fingerprint, cpu]);
  const id = store.startSession({
    started_at: '2026-12-05T20:00:00Z', harness_commit: 'h', harness_dirty: 0, machine_fingerprint: fingerprint, tool: 'callgrind', tool_version: VALGRIND,
    server_cpus: null, loadgen_cpus: null, pinning_note: null, settings: { warmup_requests: COST_DEFAULTS.warmup, method: COST_METHOD },
  });
  store.db.run("UPDATE sessions SET kind = 'cost' WHERE id = ?", [id]);
  for (const c of counts) {
    for (const scenario of c.scenarios) {
      store.db.run(
        `INSERT INTO costs(session_id, subject, experiment, commit_hash, scenario, requests_per_window, windows, processes, instructions_per_request, min_per_request, max_per_request, range, cv, node_flags, valgrind_version, node_version, windows_json)
         VALUES (?, ?, '', ?, ?, ?, ?, 1, 1000, 999, 1001, 0.002, 0.001, ?, ?, ?, '[]')`,
        [id, c.tag, c.commit, scenario, COST_DEFAULTS.requests, COST_DEFAULTS.reps, DEFAULT_NODE_FLAGS.join(' '), VALGRIND, c.node ?? process.version],
      );
    }
  }
  store.finishSession(id, 'complete');
  return id;
}

describe('callgrind counts reused by an edition', () => {
  it('reuses a complete count of the same server tree, Node.js, valgrind and settings on a machine of the same CPU model, from any cost session', async () => {
    const { dir, commits } = createTinyRepo([{ tag: 'v1-a' }, { tag: 'v2-b' }, { tag: 'v3-c' }]);
    dirs.push(dir);
    const store = await BenchStore.open(join(dir, 'bench.sqlite'));
    const chapters = ['v1-a', 'v2-b', 'v3-c'].map((tag) => ({ tag, commit: commits[tag] })) as never[];
    const keys = costKeys(dir, chapters, VALGRIND);
    const older = costSession(store, 'AMD EPYC', [{ tag: 'v1-a', commit: commits['v1-a'], scenarios: ['hot', 'mix'] }, { tag: 'v2-b', commit: commits['v2-b'], scenarios: ['hot', 'mix'] }]);
    const newer = costSession(store, 'AMD EPYC', [
      { tag: 'v1-a', commit: commits['v1-a'], scenarios: ['hot', 'mix'] },
      // recorded under v2's tag but counted at v1's commit: not v2's server
      { tag: 'v2-b', commit: commits['v1-a'], scenarios: ['hot', 'mix'] },
      // hot only: not complete
      { tag: 'v3-c', commit: commits['v3-c'], scenarios: ['hot'] },
    ]);
    costSession(store, 'Intel Xeon', [{ tag: 'v3-c', commit: commits['v3-c'], scenarios: ['hot', 'mix'] }]);
    costSession(store, 'AMD EPYC', [{ tag: 'v3-c', commit: commits['v3-c'], scenarios: ['hot', 'mix'], node: 'v18.0.0' }]);

    expect(reusableCosts(store, dir, { cpu_model: 'AMD EPYC', cores: 2 }, keys)).toEqual({ 'v1-a': newer, 'v2-b': older });
    expect(reusableCosts(store, dir, { cpu_model: 'Intel Xeon', cores: 2 }, keys)).toEqual({ 'v3-c': expect.any(Number) });
    expect(reusableCosts(store, dir, { cpu_model: 'AMD EPYC', cores: 4 }, keys)).toEqual({});
    expect(keys['v1-a']).toMatch(/^server [0-9a-f]{40} · node v\d+\.\d+\.\d+ · valgrind-3\.19\.0 · 200 requests × 4 windows, warm-up 400, node --.*, windows from rest/);
  });

  it("keys the reference's count by bench/reference's tree at the commit it was counted at, and reuses it while that tree is HEAD's", async () => {
    const { dir, commits } = createTinyRepo([{ tag: 'v1-a' }]);
    dirs.push(dir);
    const commitReference = (program: string): string => {
      mkdirSync(join(dir, 'bench', 'reference'), { recursive: true });
      writeFileSync(join(dir, 'bench', 'reference', 'reference-server.ts'), program);
      execFileSync('git', ['-C', dir, 'add', '-A'], { stdio: 'ignore' });
      execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'reference'], { stdio: 'ignore' });
      return execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    };
    const counted = commitReference('// the bare node:http server\n');
    const store = await BenchStore.open(join(dir, 'bench.sqlite'));
    const chapters = [{ tag: 'v1-a', commit: commits['v1-a'] }] as never[];
    const session = costSession(store, 'AMD EPYC', [{ tag: 'reference', commit: counted, scenarios: ['hot', 'mix'] }]);
    const machine = { cpu_model: 'AMD EPYC', cores: 2 };
    expect(reusableCosts(store, dir, machine, costKeys(dir, chapters, VALGRIND))).toEqual({ reference: session });
    // A later harness commit that leaves bench/reference alone keeps the count; one that changes it does not.
    writeFileSync(join(dir, 'elsewhere.txt'), 'x');
    commitReference('// the bare node:http server\n');
    expect(reusableCosts(store, dir, machine, costKeys(dir, chapters, VALGRIND))).toEqual({ reference: session });
    commitReference('// the bare node:http server, changed\n');
    expect(reusableCosts(store, dir, machine, costKeys(dir, chapters, VALGRIND))).toEqual({});
  });
});
