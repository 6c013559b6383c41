/**
 * `npm run bench -- --merge <files…> --db <target>`: adds the sessions of other machines'
 * database files (one per CI runner kind) to the target, without mixing machines
 * (db/merge.ts). Takes the target's bench lock, saves once at the end (atomically), so a
 * failure leaves the target as it was.
 */
import { resolve } from 'node:path';
import { openDatabase, queryRows, saveDatabase, type Database } from '../db/database.ts';
import { mergeDatabase, type MergeReport } from '../db/merge.ts';
import { acquireLock } from './lock.ts';
import { UsageError } from '../cli/args.ts';

function machineNames(db: Database, fingerprints: string[]): string {
  return fingerprints
    .map((fingerprint) => {
      const [machine] = queryRows(db, 'SELECT cpu_model, cores FROM machines WHERE fingerprint = ?', [fingerprint]);
      return machine ? `${fingerprint} (${machine.cpu_model}, ${machine.cores} cores)` : fingerprint;
    })
    .join(', ');
}

/** One line per merged file (pure but for the machine names looked up in `db`). */
export function describeMerge(file: string, report: MergeReport, db: Database): string {
  const rows = Object.entries(report.rowsAdded)
    .filter(([table, n]) => n > 0 && table !== 'sessions')
    .map(([table, n]) => `${table} ${n}`);
  const machines = report.machines.length > 0 ? ` from ${machineNames(db, report.machines)}` : '';
  const orphans = Object.entries(report.rowsWithoutSession).map(([table, n]) => `; left out ${n} ${table} rows that belong to no session`);
  const sessions = `${report.sessionsAdded} session${report.sessionsAdded === 1 ? '' : 's'}`;
  return `merged ${file}: ${sessions} added${machines}, ${report.sessionsPresent} already there${rows.length > 0 ? `; rows: ${rows.join(', ')}` : ''}${orphans.join('')}\n`;
}

/** Merges every file into the database at `dbPath` (created when missing); returns what was done, as text. */
export async function mergeFiles(files: string[], dbPath: string, notice: (message: string) => void = () => {}): Promise<string> {
  const target = resolve(dbPath);
  for (const file of files) {
    if (resolve(file) === target) throw new UsageError(`--merge: ${file} is the target database itself (--db)`);
  }
  const lock = acquireLock(target, notice);
  try {
    const db = await openDatabase(target, { create: true });
    let text = '';
    for (const file of files) text += describeMerge(file, mergeDatabase(db, await openDatabase(file)), db);
    saveDatabase(db, target);
    return `${text}saved ${dbPath}\n`;
  } finally {
    lock.release();
  }
}
