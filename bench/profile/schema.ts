/**
 * Reduced profile rows as rows of the `profiles` table (defined in db/schema.ts, written
 * through BenchStore.recordProfile).
 */
import type { ProfileDbRow } from '../../db/schema.ts';
import type { ProfileRow } from './reduce.ts';

export type { ProfileDbRow };

/** Where a table was measured. */
export interface ProfileContext {
  sessionId: number;
  subject: string;
  experiment: string;
  scenario: string;
}

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
    bundle: row.bundle ?? null,
    self_share: row.selfShare,
    total_share: row.totalShare,
    self_ms: row.selfMs,
  }));
}
