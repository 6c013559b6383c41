/**
 * `npm run bench -- withdraw <session> --reason <text>`: a complete session measured on a
 * disturbed machine stays in the database as history but is no longer cited. Its status
 * becomes `withdrawn` (the edition views cite complete editions only, capacity seeds read
 * complete sessions only), and its settings keep why, when, and the status it had. Nothing
 * else is touched: every run, summary and series row stays, so the figures can be read.
 * `--amend` corrects the reason of a session already withdrawn (what was learnt since), the
 * earlier reasons kept with their times.
 */
import { resolve } from 'node:path';
import { UsageError, numberFlag, parseFlags } from '../cli/args.ts';
import { openDatabase, queryRows, saveDatabase } from '../db/database.ts';
import { acquireLock } from './lock.ts';

export const WITHDRAW_HELP = `Usage: npm run bench -- withdraw <session> --reason <text> [--amend] [--db <path>]

Marks a session withdrawn: kept in the database with every figure, never cited (the book
cites the latest complete edition; a withdrawn one is not complete). Say why in --reason,
e.g. what disturbed the machine and how you know.

  --reason <text>   why the session is withdrawn (required; kept in its settings)
  --amend           the session is already withdrawn: this reason replaces its reason, the
                    earlier one kept beside it with its time (a cause learnt later)
  --db <path>       database file (default data/bench.sqlite)
  -h, --help        this text
`;

export interface WithdrawOptions { sessionId: number; reason: string; dbPath: string; help: boolean; amend?: boolean }

export function parseWithdrawOptions(argv: string[], cwd = process.cwd()): WithdrawOptions {
  const { values, positionals } = parseFlags({ args: argv, allowPositionals: true, options: { reason: { type: 'string' }, amend: { type: 'boolean' }, db: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  const dbPath = resolve(cwd, values.db ?? 'data/bench.sqlite');
  if (values.help) return { sessionId: 0, reason: '', dbPath, help: true };
  if (positionals.length !== 1) throw new UsageError('withdraw: name one session id (npm run bench -- withdraw <session> --reason <text>)');
  const reason = values.reason?.trim() ?? '';
  if (reason === '') throw new UsageError('withdraw: --reason is required: say what disturbed the session and how you know');
  return { sessionId: numberFlag('<session>', positionals[0], { integer: true, min: 1, hint: 'a session id' }), reason, dbPath, help: false, ...(values.amend ? { amend: true } : {}) };
}

interface Withdrawal { reason: string; at: string; status_before: unknown; earlier?: { reason: string; at: string }[] }

/** A withdrawn session's reason replaced, the earlier one kept with its time; returns the line to print. */
function amendReason(db: Awaited<ReturnType<typeof openDatabase>>, options: WithdrawOptions, session: Record<string, unknown>, now: Date): string {
  if (session.status !== 'withdrawn') throw new UsageError(`withdraw: session ${options.sessionId} is not withdrawn (${String(session.status)}): --amend corrects a withdrawn session's reason`);
  const settings = JSON.parse(String(session.settings_json)) as { withdrawn: Withdrawal } & Record<string, unknown>;
  const { earlier = [], ...last } = settings.withdrawn;
  settings.withdrawn = { ...last, reason: options.reason, at: now.toISOString(), earlier: [...earlier, { reason: last.reason, at: last.at }] };
  db.run('UPDATE sessions SET settings_json = ? WHERE id = ?', [JSON.stringify(settings), options.sessionId]);
  saveDatabase(db, options.dbPath);
  return `bench: session ${options.sessionId}'s withdrawal amended: ${options.reason}\n`;
}

/** Withdraws the session (see the module's comment); returns the line to print. */
export async function withdrawSession(options: WithdrawOptions, now: Date = new Date()): Promise<string> {
  const lock = acquireLock(options.dbPath);
  try {
    const db = await openDatabase(options.dbPath);
    const [session] = queryRows(db, 'SELECT id, status, settings_json FROM sessions WHERE id = ?', [options.sessionId]);
    if (session === undefined) throw new UsageError(`withdraw: no session ${options.sessionId} in ${options.dbPath}`);
    if (options.amend) return amendReason(db, options, session, now);
    if (session.status === 'withdrawn') throw new UsageError(`withdraw: session ${options.sessionId} is already withdrawn (--amend corrects its reason)`);
    if (session.status === 'running') throw new UsageError(`withdraw: session ${options.sessionId} is still running (or its bench died: the next bench marks it abandoned)`);
    const settings = JSON.parse(String(session.settings_json)) as Record<string, unknown>;
    settings.withdrawn = { reason: options.reason, at: now.toISOString(), status_before: session.status };
    db.run("UPDATE sessions SET status = 'withdrawn', settings_json = ? WHERE id = ?", [JSON.stringify(settings), options.sessionId]);
    saveDatabase(db, options.dbPath);
    return `bench: session ${options.sessionId} withdrawn (was ${String(session.status)}): ${options.reason}\n`;
  } finally {
    lock.release();
  }
}
