/**
 * What an edition (bench/edition/) hands the session runner for one of its parts: measure
 * into the edition's session, under the edition's lock, only these subjects, with the
 * edition's order of a round, its stopping rule and its disturbance watch. The runner
 * knows nothing else of editions.
 */
import type { Lock } from '../lock.ts';
import type { SummaryFigures } from '../store.ts';

/** A watch over one recorded load run: started just before it, judged right after it. */
export interface DisturbanceWatch {
  start(): { finish(run: { duration_seconds: number | null; server_cpu_seconds: number | null; loadgen_cpu_seconds: number | null; loadgen_saturated: number | null }): string | null };
}

export interface EditionPart {
  /** The edition's session: every run of the part is recorded in it; the part neither starts nor finishes it. */
  sessionId: number;
  /** The edition's lock on the database, held for the whole edition. */
  lock: Lock;
  /** The part's name (settings_json.edition.parts.<name>). */
  part: string;
  /** Labels (tag, tag+experiment) of the subjects the part measures. */
  labels: string[];
  /** runs.sequence of the part's first run: after every run the session already holds. */
  sequenceFrom: number;
  /**
   * Sequential stopping under a budget: after each round, given every subject still running
   * with its figures, the labels that run no more rounds of that scenario (the yardsticks
   * run while any subject still does).
   */
  stopAfterRound?(scenario: string, standings: { label: string; figures: SummaryFigures }[]): string[];
  /** One round's order (reference included where it compares); default: bench/schedule.ts. */
  roundOrder?<T extends { label: string }>(subjects: T[], yardsticks: T[], round: number): T[];
  /** Capacity searches' starting rates by label (bench/edition/capacity-seeds.ts); a label without one starts at the search's own rate. */
  capacitySeeds?: Record<string, number>;
  /** Flags a slice that something else disturbed (bench/edition/disturbance.ts). */
  watch?: DisturbanceWatch;
}
