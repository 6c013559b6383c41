/**
 * Where an edition's capacity searches start (bench/README.md, "Editions"): each subject's
 * capacity in the latest complete session that searched it on this scenario, on a machine of
 * the same CPU model and core count — the highest rate a probe met there. A subject never
 * searched on this machine kind has no seed and its search doubles from the start rate. The
 * seed only chooses the first probe: the answer is still the highest rate met in this edition
 * with a missed one within the precision above it, and every probe is recorded.
 */
import type { BenchStore } from '../store.ts';

/** Seeds by label (tag, tag+experiment) for `scenario` (a capacity-* scenario). */
export function capacitySeeds(store: BenchStore, machine: { cpu_model: string; cores: number }, scenario: string, labels: string[]): Record<string, number> {
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
    const label = row.experiment ? `${String(row.subject)}+${String(row.experiment)}` : String(row.subject);
    if (labels.includes(label) && seeds[label] === undefined) seeds[label] = Number(row.rate);
  }
  return seeds;
}
