/**
 * What a shorter slice would give, read from an edition's per-second rows (bench/README.md,
 * "Editions", 4): each subject slice's ratio to the reference slices on either side, taken
 * from the whole slice, from its first second alone (a 1 s settle and 1 s measured) and from
 * its second alone (a 2 s settle and 1 s measured); per subject the CV of those ratios.
 *
 *   node --import tsx bench/edition/slice-seconds.ts data/bench.sqlite 34 hot
 *
 * Only where a slice's first bucket is the server's: the mix's holds wrk's start too. Then the
 * same pairing over requests per second of the server's CPU time instead of the wall's (does the
 * noise come from a server kept waiting, or from its core running slower?). Last, how far the
 * ratio of a slice strays with the distance to its reference slice (deviationByDistance).
 */
import { fileURLToPath } from 'node:url';
import { REFERENCE_SUBJECT, NGINX_SUBJECT } from '../../db/schema.ts';
import { openDatabase, queryRows } from '../../db/database.ts';
import { coefficientOfVariation, median } from '../stats/descriptive.ts';
import { sessionScenarioArgs } from './script-args.ts';

/** One clean recorded slice with its per-second rows (second 1, 2, …). */
export interface Slice {
  label: string;
  sequence: number;
  rps: number;
  seconds: Map<number, number>;
  /** Requests served per second of the server's CPU time (its runs row: rps × duration ÷ server CPU seconds), when recorded. */
  perCpuSecond?: number;
}

/** Which figure of a slice: the whole (its runs row), one of its seconds, or the whole per CPU-second of the server. */
export type SliceFigure = 'whole' | 'cpu' | number;

const figureOf = (slice: Slice, figure: SliceFigure): number | undefined =>
  figure === 'whole' ? slice.rps : figure === 'cpu' ? slice.perCpuSecond : slice.seconds.get(figure);

/** Per subject, the CV of its slices' ratios to the mean of the nearest reference slice before and after (pure). */
export function ratioCvs(slices: Slice[], figure: SliceFigure): Map<string, number> {
  const ordered = [...slices].sort((a, b) => a.sequence - b.sequence);
  const references = ordered.filter((s) => s.label === REFERENCE_SUBJECT);
  const ratios = new Map<string, number[]>();
  for (const slice of ordered) {
    if (slice.label === REFERENCE_SUBJECT || slice.label === NGINX_SUBJECT) continue;
    const before = references.filter((r) => r.sequence < slice.sequence).at(-1);
    const after = references.find((r) => r.sequence > slice.sequence);
    const near = [before, after].filter((r): r is Slice => r !== undefined).map((r) => figureOf(r, figure));
    const own = figureOf(slice, figure);
    if (own === undefined || near.length === 0 || near.some((v) => v === undefined || !(v > 0))) continue;
    const reference = (near as number[]).reduce((t, v) => t + v, 0) / near.length;
    ratios.set(slice.label, [...(ratios.get(slice.label) ?? []), own / reference]);
  }
  const out = new Map<string, number>();
  for (const [label, values] of ratios) if (values.length >= 3) out.set(label, coefficientOfVariation(values));
  return out;
}

/** Each slice's first second over its second (subjects and yardsticks alike), sorted (pure). */
export function firstOverSecond(slices: Slice[]): number[] {
  return slices.flatMap((s) => {
    const [first, second] = [s.seconds.get(1), s.seconds.get(2)];
    return first !== undefined && second !== undefined && second > 0 ? [first / second] : [];
  }).sort((a, b) => a - b);
}

/**
 * Whether pairing closer would pay: each subject slice's ratio to every reference slice at most
 * `maxDistance` slices away (counted in the scenario's slice order), as a log, less the subject's
 * mean log ratio; per distance, the root mean square of those deviations (pure). Noise that
 * drifts over minutes shrinks as the reference comes closer; noise of the slice itself does not.
 */
export function deviationByDistance(slices: Slice[], maxDistance = 3): Map<number, { rms: number; pairs: number }> {
  const ordered = [...slices].sort((a, b) => a.sequence - b.sequence);
  const logs = new Map<string, { distance: number; log: number }[]>();
  ordered.forEach((slice, i) => {
    if (slice.label === REFERENCE_SUBJECT || slice.label === NGINX_SUBJECT) return;
    for (let j = Math.max(0, i - maxDistance); j <= Math.min(ordered.length - 1, i + maxDistance); j++) {
      const reference = ordered[j];
      if (reference.label !== REFERENCE_SUBJECT || !(reference.rps > 0) || !(slice.rps > 0)) continue;
      const pairs = logs.get(slice.label) ?? [];
      pairs.push({ distance: Math.abs(i - j), log: Math.log(slice.rps / reference.rps) });
      logs.set(slice.label, pairs);
    }
  });
  const squares = new Map<number, number[]>();
  for (const pairs of logs.values()) {
    const mean = pairs.reduce((t, p) => t + p.log, 0) / pairs.length;
    for (const p of pairs) {
      const atDistance = squares.get(p.distance) ?? [];
      atDistance.push((p.log - mean) ** 2);
      squares.set(p.distance, atDistance);
    }
  }
  return new Map([...squares].sort(([a], [b]) => a - b).map(([d, sq]) => [d, { rms: Math.sqrt(sq.reduce((t, v) => t + v, 0) / sq.length), pairs: sq.length }]));
}

/** The clean slices of one scenario of a session, with their seconds. */
export async function readSlices(dbPath: string, sessionId: number, scenario: string): Promise<Slice[]> {
  const db = await openDatabase(dbPath);
  const runs = queryRows(db, `SELECT id, subject || CASE WHEN experiment = '' THEN '' ELSE '+' || experiment END AS label, sequence, requests_per_second AS rps,
      requests_per_second * duration_seconds / server_cpu_seconds AS per_cpu
    FROM runs WHERE session_id = ? AND scenario = ? AND status = 'ok' AND disturbance IS NULL AND requests_per_second IS NOT NULL`, [sessionId, scenario]);
  const seconds = new Map<number, Map<number, number>>();
  for (const row of queryRows(db, `SELECT s.run_id, s.second, s.requests_per_second FROM run_samples s JOIN runs r ON r.id = s.run_id WHERE r.session_id = ? AND r.scenario = ?`, [sessionId, scenario])) {
    const id = Number(row.run_id);
    seconds.set(id, (seconds.get(id) ?? new Map()).set(Number(row.second), Number(row.requests_per_second)));
  }
  return runs.map((r) => ({
    label: String(r.label), sequence: Number(r.sequence), rps: Number(r.rps), seconds: seconds.get(Number(r.id)) ?? new Map(),
    ...(typeof r.per_cpu === 'number' && r.per_cpu > 0 ? { perCpuSecond: r.per_cpu } : {}),
  }));
}

/** The report: per figure, the subjects' median CV and its range; the first second against the second. */
export function formatSliceSeconds(slices: Slice[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const figures: SliceFigure[] = ['whole', 1, 2, ...(slices.some((s) => s.perCpuSecond !== undefined) ? ['cpu' as const] : [])];
  const lines = figures.map((figure) => {
    const cvs = [...ratioCvs(slices, figure).values()].sort((a, b) => a - b);
    const name = figure === 'whole' ? 'the whole slice' : figure === 'cpu' ? 'the whole slice per CPU-second of the server' : `second ${figure} alone`;
    return cvs.length === 0 ? `${name}: no subject with 3 ratios` : `${name}: per-slice ratio CV ${pct(median(cvs))} (median of ${cvs.length} subjects; ${pct(cvs[0])}–${pct(cvs.at(-1)!)})`;
  });
  const ratios = firstOverSecond(slices);
  if (ratios.length > 0) {
    const at = (q: number) => ratios[Math.min(ratios.length - 1, Math.floor(q * ratios.length))].toFixed(3);
    lines.push(`first second ÷ second: median ${median(ratios).toFixed(3)}, 10th percentile ${at(0.1)}, 90th ${at(0.9)} (${ratios.length} slices)`);
  }
  for (const [distance, { rms, pairs }] of deviationByDistance(slices)) {
    lines.push(`reference ${distance} slice(s) away: ratio deviation ${pct(rms)} (root mean square of log ratios about each subject's mean, ${pairs} pairs)`);
  }
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { dbPath, sessionId, scenario } = sessionScenarioArgs('slice-seconds.ts');
  process.stdout.write(formatSliceSeconds(await readSlices(dbPath, sessionId, scenario)));
}
