/**
 * The `profiles` table (one reduced CPU profile per subject × experiment × scenario of a
 * session) and the mapping of reduced rows onto it. The SQL sits here until it moves
 * beside db/schema.ts; it follows that file's conventions (session_id → sessions.id,
 * experiment '' = the chapter as tagged).
 */
import type { ProfileRow } from './reduce.ts';

export const PROFILES_TABLE_SQL = `
-- Top functions of a subject's server during one extra, profiled load run (node --cpu-prof).
-- Shares are of all sampled time ('(idle)' included); the last rank of a table is the rest summed.
CREATE TABLE IF NOT EXISTS profiles (
  session_id  INTEGER NOT NULL REFERENCES sessions(id),
  subject     TEXT NOT NULL,              -- chapter tag, or 'reference'
  experiment  TEXT NOT NULL DEFAULT '',
  scenario    TEXT NOT NULL,
  process     TEXT NOT NULL DEFAULT 'main', -- main | worker-N | all (the merge of several processes)
  rank        INTEGER NOT NULL,           -- 1 = most self time
  function    TEXT NOT NULL,
  file        TEXT NOT NULL,              -- repo-relative path, package name, node:…, or a category like '(idle)'
  line        INTEGER,                    -- 1-based; NULL when unknown
  self_share  REAL NOT NULL,              -- 0..1
  total_share REAL,                       -- 0..1; NULL for the summed rest
  self_ms     REAL NOT NULL,
  PRIMARY KEY (session_id, subject, experiment, scenario, process, rank)
);
`;

/** One row of the `profiles` table, columns as named in SQL. */
export interface ProfileDbRow {
  session_id: number;
  subject: string;
  experiment: string;
  scenario: string;
  process: string;
  rank: number;
  function: string;
  file: string;
  line: number | null;
  self_share: number;
  total_share: number | null;
  self_ms: number;
}

/** Where a table was measured. */
export interface ProfileContext {
  sessionId: number;
  subject: string;
  experiment: string;
  scenario: string;
}

export const INSERT_PROFILE_SQL = `INSERT INTO profiles (session_id, subject, experiment, scenario, process, rank, function, file, line, self_share, total_share, self_ms)
VALUES (:session_id, :subject, :experiment, :scenario, :process, :rank, :function, :file, :line, :self_share, :total_share, :self_ms)`;

/** Reduced rows as table rows of one context. */
export function toDbRows(rows: ProfileRow[], context: ProfileContext): ProfileDbRow[] {
  return rows.map((row) => ({
    session_id: context.sessionId,
    subject: context.subject,
    experiment: context.experiment,
    scenario: context.scenario,
    process: row.process,
    rank: row.rank,
    function: row.function,
    file: row.file,
    line: row.line,
    self_share: row.selfShare,
    total_share: row.totalShare,
    self_ms: row.selfMs,
  }));
}
