/**
 * The edition's callgrind step: instructions per request of every chapter on hot and mix
 * (bench/cost/, `npm run cost -- --record`), counted only where no count of the same thing
 * exists on this kind of machine (CPU model and cores). An instruction count depends on the
 * server's code, the Node.js and valgrind builds and the counting settings, not on the load
 * or the moment: a chapter whose server tree (git tree hash of server/ at its commit), Node.js
 * version, valgrind version and settings (requests per window, windows, warm-up requests,
 * node flags, the method that made the windows) match a complete count of any cost session — an edition's or `npm run cost
 * -- --record`'s — keeps that session's count, named in the edition's record
 * (settings_json.edition.cost.sessions) as its provenance. The windows of a count made from
 * rest (bench/cost/rest.ts) lie within 0.5% of each other (bench/cost/README.md): a count made
 * again would differ by no more. The bare node:http reference is keyed the same way, by
 * bench/reference/'s tree. A count takes about 23 s of wall time at 2 jobs (PLANNING); an edition pays only for
 * chapters whose server changed.
 *
 * The counts run before the edition's load parts: callgrind uses the CPU that the wall-clock
 * slices need.
 */
import { execFileSync } from 'node:child_process';
import type { Chapter } from '../../db/chapters.ts';
import { COST_DEFAULTS, parseCostArgs, type CostRecordOptions } from '../cost/args.ts';
import { DEFAULT_NODE_FLAGS } from '../cost/command.ts';
import { COST_METHOD } from '../cost/rest.ts';
import { recordCosts } from '../cost/record.ts';
import { Cleanup } from '../subject/cleanup.ts';
import { BenchStore } from '../store.ts';
import { REFERENCE_SUBJECT } from '../../db/schema.ts';

export const COST_SCENARIOS = ['hot', 'mix'] as const;

/** The counting settings a count depends on, as one string: the current defaults, or a recorded count's (method: how its windows were made, null before it was recorded). */
export function costSettingsKey(requests: number, windows: number, warmup: number, nodeFlags: readonly string[], method: string | null): string {
  return `${requests} requests × ${windows} windows, warm-up ${warmup}, node ${nodeFlags.join(' ')}, ${method ?? 'windows as measured before the method was recorded'}`;
}

/** The settings `npm run cost -- --record` counts with today. */
export const CURRENT_COST_SETTINGS = costSettingsKey(COST_DEFAULTS.requests, COST_DEFAULTS.reps, COST_DEFAULTS.warmup, DEFAULT_NODE_FLAGS, COST_METHOD);

/** The git tree of a folder at a commit, or null when the repository lacks the commit. */
function treeAt(repoDir: string, commit: string, folder: string): string | null {
  try {
    return execFileSync('git', ['-C', repoDir, 'rev-parse', `${commit}:${folder}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/**
 * The code a subject's count depends on: a chapter's server/ at its commit; the bare
 * node:http reference's program, bench/reference/, at the harness commit it was counted at
 * (its costs row's commit_hash; it always answers with chapter 1's hot answer, fixed history).
 */
function subjectTree(repoDir: string, subject: string, commit: string): string | null {
  return subject === REFERENCE_SUBJECT ? treeAt(repoDir, commit, 'bench/reference') : treeAt(repoDir, commit, 'server');
}

/** What a count depends on, as one string (pure). */
export function costKey(tree: string, node: string, valgrind: string, settings: string): string {
  return `server ${tree} · node ${node} · ${valgrind} · ${settings}`;
}

export function valgrindVersion(): string {
  return execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim();
}

/** Each chapter's key today (its server tree, this Node.js and valgrind, the current settings), and the reference's (bench/reference's tree at HEAD). */
export function costKeys(repoDir: string, chapters: Chapter[], valgrind: string): Record<string, string> {
  const key = (subject: string, commit: string) => costKey(subjectTree(repoDir, subject, commit) ?? `unknown (${commit})`, process.version, valgrind, CURRENT_COST_SETTINGS);
  return Object.fromEntries([...chapters.map((c) => [c.tag, key(c.tag, c.commit)]), [REFERENCE_SUBJECT, key(REFERENCE_SUBJECT, 'HEAD')]]);
}

/**
 * The cost session whose count of each chapter and of the reference (hot and mix, complete) has its key
 * today, on a machine of the same CPU model and cores; the newest where several do.
 */
export function reusableCosts(store: BenchStore, repoDir: string, machine: { cpu_model: string; cores: number }, keys: Record<string, string>): Record<string, number> {
  const rows = store.rows(
    `SELECT c.session_id, c.subject, c.scenario, c.commit_hash, c.requests_per_window, c.windows, c.node_flags, c.valgrind_version, c.node_version,
            json_extract(s.settings_json, '$.warmup_requests') AS warmup, json_extract(s.settings_json, '$.method') AS method
     FROM costs c JOIN sessions s ON s.id = c.session_id JOIN machines m ON m.fingerprint = s.machine_fingerprint
     WHERE s.kind = 'cost' AND s.status = 'complete' AND m.cpu_model = ? AND m.cores = ? AND c.experiment = '' AND c.commit_hash IS NOT NULL
     ORDER BY c.session_id DESC`,
    [machine.cpu_model, machine.cores],
  );
  const trees = new Map<string, string | null>();
  const treeOf = (subject: string, commit: string) => {
    const at = `${subject === REFERENCE_SUBJECT ? 'reference' : 'server'}|${commit}`;
    if (!trees.has(at)) trees.set(at, subjectTree(repoDir, subject, commit));
    return trees.get(at)!;
  };
  const matching = new Map<string, Set<string>>(); // `${tag}|${session}` → scenarios counted with the key
  for (const row of rows) {
    const tag = String(row.subject);
    const tree = treeOf(tag, String(row.commit_hash));
    if (keys[tag] === undefined || tree === null) continue;
    const settings = costSettingsKey(Number(row.requests_per_window), Number(row.windows), Number(row.warmup), String(row.node_flags ?? '').split(' ').filter(Boolean), row.method === null || row.method === undefined ? null : String(row.method));
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
