/**
 * Where an edition's capacity searches start (bench/README.md, "Editions"): each subject's
 * capacity in the latest complete session that searched it on this scenario, on a machine of
 * the same CPU model and core count — the highest rate a probe met there. A subject never
 * searched on this machine kind has no seed and its search doubles from the start rate. The
 * seed only chooses the first probe: the answer is still the highest rate met in this edition
 * with a missed one within the precision above it, and every probe is recorded.
 *
 * A subject never searched on this machine kind but searched elsewhere (a first edition on a
 * new machine kind) is seeded by carrying its latest capacity over with its closed loop on the
 * same requests: capacity there × (closed-loop throughput in this edition ÷ there), the mix
 * part running before capacity-mix (carriedSeeds). The closed loop alone is no seed: a
 * capacity is 0.07–0.82 of it, a share of its own per chapter. Run as a script, this file
 * reads an edition's capacities against its closed loop, the probes a search seeded at a share
 * of it would take, and those seeded from another session carried over (bench/README.md):
 *
 *   node --import tsx bench/edition/capacity-seeds.ts data/bench.sqlite 40 capacity-mix 0.13 0.5
 */
import { fileURLToPath } from 'node:url';
import { openDatabase, queryRows } from '../../db/database.ts';
import { DEFAULT_SEARCH, nextRate, type SearchSettings } from '../overload/objective.ts';
import { seededSearch } from '../scenarios/capacity.ts';
import { median } from '../stats/descriptive.ts';
import type { BenchStore } from '../store.ts';

/** What the seeds read of the database (a BenchStore, or a database opened read-only by the script). */
type Rows = Pick<BenchStore, 'rows'>;

const labelOf = (row: Record<string, unknown>): string => (row.experiment ? `${String(row.subject)}+${String(row.experiment)}` : String(row.subject));

/** Seeds by label (tag, tag+experiment) for `scenario` (a capacity-* scenario). */
export function capacitySeeds(store: Rows, machine: { cpu_model: string; cores: number }, scenario: string, labels: string[]): Record<string, number> {
  const rows = store.rows(
    `SELECT p.subject, p.experiment, p.session_id, MAX(p.offered_rate) AS rate
     FROM capacity_probes p JOIN sessions s ON s.id = p.session_id JOIN machines m ON m.fingerprint = s.machine_fingerprint
     WHERE p.scenario = ? AND p.meets = 1 AND s.status = 'complete' AND m.cpu_model = ? AND m.cores = ?
     GROUP BY p.session_id, p.subject, p.experiment
     ORDER BY p.session_id DESC`,
    [scenario, machine.cpu_model, machine.cores],
  );
  const seeds: Record<string, number> = {};
  for (const row of rows) {
    const label = labelOf(row);
    if (labels.includes(label) && seeds[label] === undefined) seeds[label] = Number(row.rate);
  }
  return seeds;
}

/** The closed-loop scenario on the same requests as a capacity search (its throughput bounds the capacity's). */
export const CLOSED_LOOP_OF: Record<string, string> = { 'capacity-hot': 'hot', 'capacity-mix': 'mix' };

/** Per label, its capacity and closed-loop throughput in the latest complete session other than `sessionId` that measured both (any machine). */
export function capacitiesElsewhere(store: Rows, scenario: string, labels: string[], sessionId = -1): Record<string, { session: number; capacity: number; closedLoop: number }> {
  const closedLoop = CLOSED_LOOP_OF[scenario];
  if (closedLoop === undefined) return {};
  const rows = store.rows(
    `SELECT p.session_id, p.subject, p.experiment, MAX(p.offered_rate) AS rate, MAX(m.rps_median) AS closed
     FROM capacity_probes p JOIN sessions s ON s.id = p.session_id
     JOIN summaries m ON m.session_id = p.session_id AND m.subject = p.subject AND m.experiment = p.experiment AND m.scenario = ?
     WHERE p.scenario = ? AND p.meets = 1 AND s.status = 'complete' AND p.session_id <> ? AND m.rps_median > 0
     GROUP BY p.session_id, p.subject, p.experiment
     ORDER BY p.session_id DESC`,
    [closedLoop, scenario, sessionId],
  );
  const found: Record<string, { session: number; capacity: number; closedLoop: number }> = {};
  for (const row of rows) {
    const label = labelOf(row);
    if (labels.includes(label) && found[label] === undefined) found[label] = { session: Number(row.session_id), capacity: Number(row.rate), closedLoop: Number(row.closed) };
  }
  return found;
}

/**
 * Seeds carried over from another session's capacities by this session's closed loop on the
 * same requests (measured earlier in the edition): capacity there × closed loop here ÷ there.
 */
export function carriedSeeds(store: Rows, sessionId: number, scenario: string, labels: string[]): Record<string, { seed: number; from: number }> {
  const elsewhere = capacitiesElsewhere(store, scenario, labels, sessionId);
  const here = store.rows('SELECT subject, experiment, MAX(rps_median) AS rps FROM summaries WHERE session_id = ? AND scenario = ? AND rps_median > 0 GROUP BY subject, experiment', [sessionId, CLOSED_LOOP_OF[scenario] ?? '']);
  const seeds: Record<string, { seed: number; from: number }> = {};
  for (const row of here) {
    const then = elsewhere[labelOf(row)];
    if (then) seeds[labelOf(row)] = { seed: Math.max(1, Math.round((then.capacity * Number(row.rps)) / then.closedLoop)), from: then.session };
  }
  return seeds;
}

/** Probes a search takes to find `capacity` where every rate up to it meets the objective and none above: from `seed`, or doubling without one (pure). */
export function probesToFind(capacity: number, seed: number | undefined, search: SearchSettings = DEFAULT_SEARCH): number {
  const settings = seededSearch({ search, stepSeconds: 0, settleSeconds: 0, pauseSeconds: 0 }, seed).search!;
  const probes: { rate: number; meets: boolean }[] = [];
  for (let rate = nextRate(probes, settings); rate !== null; rate = nextRate(probes, settings)) probes.push({ rate, meets: rate <= capacity });
  return probes.length;
}

/**
 * Per subject of a session that searched `scenario` and measured its closed loop: the
 * capacity's share of the closed-loop throughput, and the probes a search would take
 * unseeded and seeded at `share` of that throughput (an ideal search: the capacity's own
 * rate met, every rate above it missed).
 */
export async function closedLoopShares(dbPath: string, sessionId: number, scenario: string, shares: number[]): Promise<string> {
  const db = await openDatabase(dbPath);
  const rows = queryRows(db, `SELECT c.subject || CASE WHEN c.experiment = '' THEN '' ELSE '+' || c.experiment END AS label, c.capacity_rps AS capacity, m.rps_median AS closed
    FROM summaries c JOIN summaries m ON m.session_id = c.session_id AND m.subject = c.subject AND m.experiment = c.experiment AND m.scenario = ?
    WHERE c.session_id = ? AND c.scenario = ? AND c.capacity_rps > 0 AND m.rps_median > 0 ORDER BY c.subject, c.experiment`, [CLOSED_LOOP_OF[scenario], sessionId, scenario]);
  if (rows.length === 0) return `session ${sessionId}: no subject with both ${scenario} and ${CLOSED_LOOP_OF[scenario]}\n`;
  const lines = rows.map((r) => {
    const [capacity, closed] = [Number(r.capacity), Number(r.closed)];
    const seeded = shares.map((share) => `${probesToFind(capacity, Math.round(closed * share))} at ${share}×`).join(', ');
    return `${String(r.label).padEnd(38)} capacity ${String(Math.round(capacity)).padStart(6)}  closed loop ${String(Math.round(closed)).padStart(6)}  share ${(capacity / closed).toFixed(3)}  probes ${probesToFind(capacity, undefined)} unseeded, seeded ${seeded}`;
  });
  const ratios = rows.map((r) => Number(r.capacity) / Number(r.closed)).sort((a, b) => a - b);
  const total = (seed: (closed: number) => number | undefined) => rows.reduce((t, r) => t + probesToFind(Number(r.capacity), seed(Number(r.closed))), 0);
  const carried = carriedSeeds({ rows: (sql, params) => queryRows(db, sql, params) }, sessionId, scenario, rows.map((r) => String(r.label)));
  const carriedRows = rows.filter((r) => carried[String(r.label)] !== undefined);
  if (carriedRows.length > 0) {
    const sessions = [...new Set(Object.values(carried).map((c) => c.from))].join(', ');
    const probes = (seeded: boolean) => carriedRows.reduce((t, r) => t + probesToFind(Number(r.capacity), seeded ? carried[String(r.label)].seed : undefined), 0);
    lines.push(`carried over from session ${sessions} by the closed loop: ${carriedRows.length} subjects, ${probes(true)} probes seeded, ${probes(false)} unseeded`);
  }
  lines.push(`share: median ${median(ratios).toFixed(3)}, ${ratios[0].toFixed(3)}–${ratios.at(-1)!.toFixed(3)} (${rows.length} subjects); probes: ${total(() => undefined)} unseeded, ${shares.map((share) => `${total((closed) => Math.round(closed * share))} seeded at ${share}×`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dbPath, session, scenario = 'capacity-mix', ...shares] = process.argv.slice(2);
  if (!dbPath || !(Number(session) > 0) || CLOSED_LOOP_OF[scenario] === undefined || shares.some((x) => !(Number(x) > 0))) {
    process.stderr.write('usage: node --import tsx bench/edition/capacity-seeds.ts <database> <session id> [capacity-mix|capacity-hot] [share of the closed loop …]\n');
    process.exit(2);
  }
  process.stdout.write(await closedLoopShares(dbPath, Number(session), scenario, shares.length > 0 ? shares.map(Number) : [0.5]));
}
