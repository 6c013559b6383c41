/**
 * A chapter's experiments at the chapter's capacity (capacity_source `chapter`): in fairness and
 * the open-loop scenarios (overload, overload-mix, ingest-mix-overload, the ramps) an experiment
 * takes the capacity its chapter measured in the same round — or the latest round before, when a
 * rotated round runs the experiment first — instead of a capacity run of its own. Every limit of
 * a chapter is then compared at one offered load (issue 23: chapter 8's experiments each had
 * their own rate; edition 40 offered chapter 18 4,068 req/s at 2× in fairness and its
 * unfair-limit experiment 7,020), and the experiment's closed-loop run is saved. Never for a
 * given --capacity (one rate for every subject already), nor for the capacity-* scenarios,
 * whose capacity is the measurement. Pure bookkeeping: one instance per scenario module, i.e.
 * per session.
 */
import type { Capacity } from './capacity.ts';

/** A subject's label: the chapter's tag, or `tag+experiment` for one of its experiments ('' or null: the chapter itself). */
export function subjectLabel(chapter: string, experiment: string | null): string {
  return experiment ? `${chapter}+${experiment}` : chapter;
}

/** A subject label's chapter and experiment ('v18-standing-queue+unfair-limit' → chapter, experiment; no '+': the chapter itself). */
export function labelParts(label: string): { chapter: string; experiment: string | null } {
  const plus = label.indexOf('+');
  return plus < 0 ? { chapter: label, experiment: null } : { chapter: label.slice(0, plus), experiment: label.slice(plus + 1) };
}

/** Each chapter's capacity per round, as its own subject measured it. */
export class ChapterCapacities {
  private readonly byRound = new Map<number, Map<string, Capacity>>();

  remember(round: number, label: string, capacity: Capacity): void {
    const { chapter, experiment } = labelParts(label);
    if (experiment !== null || capacity.source === 'given' || capacity.source === 'chapter') return;
    if (!this.byRound.has(round)) this.byRound.set(round, new Map());
    this.byRound.get(round)!.set(chapter, capacity);
  }

  /**
   * The capacity an experiment takes from its chapter: of this round, else of the latest round
   * before (a rotated round may run the experiment first); none for the chapter itself, or
   * before the chapter was measured at all. No run id: the chapter's capacity run is the
   * chapter's, and two rounds of an experiment may share it (the views then number the
   * experiment's runs by where their seconds restart, as for a given capacity).
   */
  forExperiment(round: number, label: string): Capacity | null {
    const { chapter, experiment } = labelParts(label);
    if (experiment === null) return null;
    for (let r = round; r >= 0; r--) {
      const own = this.byRound.get(r)?.get(chapter);
      if (own !== undefined) return { rps: own.rps, source: 'chapter' };
    }
    return null;
  }
}
