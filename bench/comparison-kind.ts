/**
 * `npm run bench -- comparison-kind [<CPU model · cores> | --clear]`: which kind of machine the
 * book's comparisons come from. Without it the book cites the latest complete edition of any
 * machine (db/schema.ts, view comparison_machine), so an edition measured on another kind
 * (an AMD EPYC day after Intel Xeon days, a CI runner) moves every page to that machine, where
 * the older evidence a page shows beside its comparisons (profiles) was never taken. Named,
 * only editions of that kind are cited; the others stay in the database as history, read by
 * edition_ratios of their own machine and by `list`. Stored as meta 'comparison_kind'.
 */
import { resolve } from 'node:path';
import { UsageError, parseFlags } from '../cli/args.ts';
import { openDatabase, queryRows, saveDatabase } from '../db/database.ts';
import { MACHINE_KIND } from '../db/schema.ts';
import { acquireLock } from './lock.ts';

export const COMPARISON_KIND_HELP = `Usage: npm run bench -- comparison-kind ["<CPU model> · <cores>" | --clear] [--db <path>]

Names the kind of machine (CPU model and cores, as the edition groups machines) whose latest
complete edition the book cites; editions of other kinds stay in the database as history.
Without a kind: prints the current one and every kind with complete editions.

  --clear        cite the latest complete edition of any machine again
  --db <path>    database file (default data/bench.sqlite)
  -h, --help     this text
`;

export interface ComparisonKindOptions { kind: string | null; clear: boolean; dbPath: string; help: boolean }

export function parseComparisonKindOptions(argv: string[], cwd = process.cwd()): ComparisonKindOptions {
  const { values, positionals } = parseFlags({ args: argv, allowPositionals: true, options: { clear: { type: 'boolean' }, db: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  const dbPath = resolve(cwd, values.db ?? 'data/bench.sqlite');
  if (positionals.length > 1) throw new UsageError('comparison-kind: name one kind, quoted (e.g. "Intel(R) Xeon(R) Processor · 2")');
  if (values.clear && positionals.length > 0) throw new UsageError('comparison-kind: give a kind or --clear, not both');
  return { kind: positionals[0]?.trim() ?? null, clear: values.clear ?? false, dbPath, help: values.help ?? false };
}

const KINDS_SQL = `SELECT ${MACHINE_KIND} AS kind,
  COUNT(DISTINCT CASE WHEN se.status = 'complete' AND json_extract(se.settings_json, '$.edition.whole_book') = 1 THEN se.id END) AS editions
  FROM machine_info m LEFT JOIN sessions se ON se.machine_fingerprint = m.fingerprint GROUP BY 1 ORDER BY 1`;

/** The kinds in the database, and the line a reader sees for them (pure). */
export function describeKinds(current: string | null, kinds: { kind: string; editions: number }[], cited: string | null): string {
  const lines = [`comparison kind: ${current ?? 'none named (the latest complete edition of any machine)'}`, `cited machine: ${cited ?? 'none yet'}`];
  for (const k of kinds) lines.push(`  ${k.kind}: ${k.editions} complete edition(s)`);
  return `${lines.join('\n')}\n`;
}

/** Names, clears or shows the comparison kind; returns what to print. */
export async function comparisonKind(options: ComparisonKindOptions): Promise<string> {
  const lock = acquireLock(options.dbPath);
  try {
    const db = await openDatabase(options.dbPath);
    const kinds = queryRows(db, KINDS_SQL).map((r) => ({ kind: String(r.kind), editions: Number(r.editions) }));
    if (options.kind !== null) {
      const known = kinds.find((k) => k.kind === options.kind);
      if (!known) throw new UsageError(`comparison-kind: no machine of kind "${options.kind}" in ${options.dbPath} (known: ${kinds.map((k) => `"${k.kind}"`).join(', ')})`);
      db.run("INSERT OR REPLACE INTO meta(key, value) VALUES ('comparison_kind', ?)", [options.kind]);
      saveDatabase(db, options.dbPath);
    } else if (options.clear) {
      db.run("DELETE FROM meta WHERE key = 'comparison_kind'");
      saveDatabase(db, options.dbPath);
    }
    const current = queryRows(db, "SELECT value FROM meta WHERE key = 'comparison_kind'")[0]?.value;
    const cited = queryRows(db, 'SELECT label FROM cited_edition')[0]?.label;
    return describeKinds(current === undefined ? null : String(current), kinds, cited === undefined ? null : String(cited));
  } finally {
    lock.release();
  }
}
