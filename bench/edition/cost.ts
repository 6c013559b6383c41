/**
 * The edition's callgrind step: instructions per request of every chapter on hot and mix
 * (bench/cost/, `npm run cost -- --record`), counted only where no earlier edition on this
 * machine counted the same thing. An instruction count depends on the server's code, the
 * counting harness and the Node.js build, not on the load: a chapter whose server tree
 * (git tree hash of server/ at its commit), bench/cost tree and Node.js version match an
 * earlier edition's keeps that edition's cost session. A count takes about a minute of
 * wall time; the first edition on a machine pays for all of them, the next ones for none.
 *
 * The counts run before the edition's load parts: callgrind uses the CPU that the wall-clock
 * slices need.
 */
import { execFileSync } from 'node:child_process';
import type { Chapter } from '../../db/chapters.ts';
import { parseCostArgs, type CostRecordOptions } from '../cost/args.ts';
import { recordCosts } from '../cost/record.ts';
import { Cleanup } from '../subject/cleanup.ts';
import { HARNESS_ROOT } from '../provenance.ts';
import { BenchStore } from '../store.ts';

export const COST_SCENARIOS = ['hot', 'mix'] as const;

/** What a chapter's count depends on, as one string. */
export function costKeys(repoDir: string, chapters: Chapter[]): Record<string, string> {
  const tree = (dir: string, rev: string) => execFileSync('git', ['-C', dir, 'rev-parse', rev], { encoding: 'utf8' }).trim();
  const harness = tree(HARNESS_ROOT, 'HEAD:bench/cost');
  return Object.fromEntries(chapters.map((c) => [c.tag, `server ${tree(repoDir, `${c.commit}:server`)} · bench/cost ${harness} · node ${process.version}`]));
}

/** The cost session of each chapter counted with the same key by an earlier edition on this machine (complete counts only). */
export function reusableCosts(store: BenchStore, fingerprint: string, keys: Record<string, string>): Record<string, number> {
  const reused: Record<string, number> = {};
  const editions = store.rows(
    `SELECT json_extract(settings_json, '$.edition.cost') AS cost FROM sessions
     WHERE machine_fingerprint = ? AND json_extract(settings_json, '$.edition.cost') IS NOT NULL ORDER BY started_at DESC, id DESC`,
    [fingerprint],
  );
  for (const row of editions) {
    const cost = JSON.parse(String(row.cost)) as { keys?: Record<string, string>; sessions?: Record<string, number> };
    for (const [tag, key] of Object.entries(keys)) {
      const session = cost.sessions?.[tag];
      if (reused[tag] !== undefined || session === undefined || cost.keys?.[tag] !== key) continue;
      const counted = store.rows(`SELECT COUNT(DISTINCT scenario) AS n FROM costs WHERE session_id = ? AND subject = ? AND experiment = ''`, [session, tag])[0];
      if (Number(counted?.n) === COST_SCENARIOS.length) reused[tag] = session;
    }
  }
  return reused;
}

/** Counts the chapters given (one cost session) and returns its id. */
export async function countCosts(repoDir: string, dbPath: string, tags: string[], log: (line: string) => void): Promise<number> {
  const options = parseCostArgs(['--record', '--chapters', tags.join(','), '--scenario', COST_SCENARIOS.join(','), '--db', dbPath, '--repo', repoDir]) as CostRecordOptions;
  options.valgrindVersion = execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim();
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
