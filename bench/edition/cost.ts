/**
 * The edition's callgrind step: instructions per request of every chapter on hot and mix
 * (bench/cost/, `npm run cost -- --record`), counted only where no count of the same thing
 * exists on this kind of machine (CPU model and cores). An instruction count depends on the
 * server's code, the Node.js and valgrind builds and the counting settings, not on the load
 * or the moment: a chapter whose server tree (git tree hash of server/ at its commit), Node.js
 * version, valgrind version and settings (requests per window, windows, warm-up requests,
 * node flags) match a complete count of any cost session — an edition's or `npm run cost
 * -- --record`'s — keeps that session's count, named in the edition's record
 * (settings_json.edition.cost.sessions) as its provenance. Cost session 31's windows lie
 * within 0.02–0.3% of each other for v1–v12 on hot and mix: a count made again would differ
 * by no more. A count takes about 45 s of wall time at 2 jobs; an edition pays only for
 * chapters whose server changed.
 *
 * The counts run before the edition's load parts: callgrind uses the CPU that the wall-clock
 * slices need.
 */
import { execFileSync } from 'node:child_process';
import type { Chapter } from '../../db/chapters.ts';
import { COST_DEFAULTS, parseCostArgs, type CostRecordOptions } from '../cost/args.ts';
import { DEFAULT_NODE_FLAGS } from '../cost/command.ts';
import { recordCosts } from '../cost/record.ts';
import { Cleanup } from '../subject/cleanup.ts';
import { BenchStore } from '../store.ts';

export const COST_SCENARIOS = ['hot', 'mix'] as const;

/** The counting settings a count depends on, as one string: the current defaults, or a recorded count's. */
export function costSettingsKey(requests: number, windows: number, warmup: number, nodeFlags: readonly string[]): string {
  return `${requests} requests × ${windows} windows, warm-up ${warmup}, node ${nodeFlags.join(' ')}`;
}

/** The settings `npm run cost -- --record` counts with today. */
export const CURRENT_COST_SETTINGS = costSettingsKey(COST_DEFAULTS.requests, COST_DEFAULTS.reps, COST_DEFAULTS.warmup, DEFAULT_NODE_FLAGS);

/** The git tree of server/ at a commit, or null when the repository lacks the commit. */
function serverTree(repoDir: string, commit: string): string | null {
  try {
    return execFileSync('git', ['-C', repoDir, 'rev-parse', `${commit}:server`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** What a count depends on, as one string (pure). */
export function costKey(tree: string, node: string, valgrind: string, settings: string): string {
  return `server ${tree} · node ${node} · ${valgrind} · ${settings}`;
}

export function valgrindVersion(): string {
  return execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim();
}

/** Each chapter's key today: its server tree, this Node.js and valgrind, the current settings. */
export function costKeys(repoDir: string, chapters: Chapter[], valgrind: string): Record<string, string> {
  return Object.fromEntries(chapters.map((c) => [c.tag, costKey(serverTree(repoDir, c.commit) ?? `unknown (${c.commit})`, process.version, valgrind, CURRENT_COST_SETTINGS)]));
}

/**
 * The cost session whose count of each chapter (hot and mix, complete) has the chapter's key
 * today, on a machine of the same CPU model and cores; the newest where several do.
 */
export function reusableCosts(store: BenchStore, repoDir: string, machine: { cpu_model: string; cores: number }, keys: Record<string, string>): Record<string, number> {
  const rows = store.rows(
    `SELECT c.session_id, c.subject, c.scenario, c.commit_hash, c.requests_per_window, c.windows, c.node_flags, c.valgrind_version, c.node_version,
            json_extract(s.settings_json, '$.warmup_requests') AS warmup
     FROM costs c JOIN sessions s ON s.id = c.session_id JOIN machines m ON m.fingerprint = s.machine_fingerprint
     WHERE s.kind = 'cost' AND s.status = 'complete' AND m.cpu_model = ? AND m.cores = ? AND c.experiment = '' AND c.commit_hash IS NOT NULL
     ORDER BY c.session_id DESC`,
    [machine.cpu_model, machine.cores],
  );
  const trees = new Map<string, string | null>();
  const treeOf = (commit: string) => (trees.has(commit) ? trees.get(commit)! : (trees.set(commit, serverTree(repoDir, commit)), trees.get(commit)!));
  const matching = new Map<string, Set<string>>(); // `${tag}|${session}` → scenarios counted with the key
  for (const row of rows) {
    const tag = String(row.subject);
    const tree = treeOf(String(row.commit_hash));
    if (keys[tag] === undefined || tree === null) continue;
    const settings = costSettingsKey(Number(row.requests_per_window), Number(row.windows), Number(row.warmup), String(row.node_flags ?? '').split(' ').filter(Boolean));
    if (costKey(tree, String(row.node_version), String(row.valgrind_version), settings) !== keys[tag]) continue;
    const at = `${tag}|${String(row.session_id)}`;
    matching.set(at, (matching.get(at) ?? new Set()).add(String(row.scenario)));
  }
  const reused: Record<string, number> = {};
  for (const [at, scenarios] of matching) {
    const [tag, session] = at.split('|');
    if (reused[tag] === undefined && COST_SCENARIOS.every((s) => scenarios.has(s))) reused[tag] = Number(session);
  }
  return reused;
}

/** Counts the chapters given (one cost session) and returns its id. */
export async function countCosts(repoDir: string, dbPath: string, tags: string[], valgrind: string, log: (line: string) => void): Promise<number> {
  const options = parseCostArgs(['--record', '--chapters', tags.join(','), '--scenario', COST_SCENARIOS.join(','), '--db', dbPath, '--repo', repoDir]) as CostRecordOptions;
  options.valgrindVersion = valgrind;
  const cleanup = new Cleanup();
  try {
    await recordCosts(options, cleanup, log);
  } finally {
    for (const failure of await cleanup.run()) log(`cost: cleanup: ${failure}`);
  }
  const store = await BenchStore.open(dbPath);
  const id = store.rows("SELECT MAX(id) AS id FROM sessions WHERE kind = 'cost' AND status = 'complete'")[0]?.id;
  if (typeof id !== 'number') throw new Error(`the cost session's id is not in ${dbPath}`);
  return id;
}
