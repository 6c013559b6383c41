/**
 * The ratio of a chapter to the reference from interleaved slices (pure).
 *
 * This machine's neighbours move throughput by ±15% within seconds, and they move both
 * servers: a ratio of two medians of long runs taken at different moments carries that
 * drift into the ratio. Here every chapter slice is compared with the reference *at the
 * same moment*: the reference's throughput interpolated at the chapter slice's position
 * in the session's order, log-linearly between the nearest reference slice before it and
 * the nearest after it (the nearer one alone at either end). A drift common to both
 * servers that is exponential (or linear, to first order) between two reference slices
 * cancels exactly in each slice's ratio; the ratios are then summarised by their median
 * and its distribution-free interval (descriptive.ts), so the few slices a burst of a neighbour
 * hits on one side only move the estimate little.
 */
import { coefficientOfVariation, median, medianConfidenceInterval } from './descriptive.ts';

/** One measured slice: where it ran in the session's order (runs.sequence, or a round) and its figure (a throughput, a p99 latency). */
export interface Slice {
  position: number;
  value: number;
}

export interface PairedRatio {
  /** Median of the slice ratios. */
  ratio: number;
  /** Its 95% interval (NaN below two slices). */
  low: number;
  high: number;
  /** CV of the slice ratios. */
  cv: number;
  /** How many chapter slices had a reference slice to compare with. */
  slices: number;
}

function assertSlices(slices: Slice[], what: string): void {
  for (const s of slices) {
    if (!Number.isFinite(s.position)) throw new Error(`${what}: every slice needs a finite position`);
    if (!(Number.isFinite(s.value) && s.value > 0)) throw new Error(`${what}: every slice needs a positive value`);
  }
}

/** The reference's figure at `position`: log-linear between its neighbours, the nearer one at the ends. */
export function referenceAt(reference: Slice[], position: number): number {
  if (reference.length === 0) throw new Error('reference at a position: no reference slices');
  let before: Slice | null = null;
  let after: Slice | null = null;
  for (const s of reference) {
    if (s.position <= position && (before === null || s.position > before.position)) before = s;
    if (s.position >= position && (after === null || s.position < after.position)) after = s;
  }
  if (before === null) return after!.value;
  if (after === null || after.position === before.position) return before.value;
  const weight = (position - before.position) / (after.position - before.position);
  return Math.exp((1 - weight) * Math.log(before.value) + weight * Math.log(after.value));
}

/** Each chapter slice ÷ the reference at its position, in the chapter's order. */
export function sliceRatios(chapter: Slice[], reference: Slice[]): number[] {
  assertSlices(chapter, 'slice ratios (chapter)');
  assertSlices(reference, 'slice ratios (reference)');
  if (reference.length === 0) return [];
  return [...chapter].sort((a, b) => a.position - b.position).map((s) => s.value / referenceAt(reference, s.position));
}

/**
 * The paired estimate (module comment), or null when no chapter slice has a reference to
 * compare with. Slices paired by round instead (the ingest scenario's p99 under ingest ÷
 * the same round's quiet p99) take the round as their position: a reference slice at the
 * very position is its pair, exactly.
 */
export function pairedRatio(chapter: Slice[], reference: Slice[], confidence = 0.95): PairedRatio | null {
  const ratios = sliceRatios(chapter, reference);
  if (ratios.length === 0) return null;
  const { low, high } = medianConfidenceInterval(ratios, confidence);
  return { ratio: median(ratios), low, high, cv: coefficientOfVariation(ratios), slices: ratios.length };
}

/** What the paired estimate replaces, kept to show the difference: the chapter's median ÷ the reference's median. */
export function ratioOfMedians(chapter: Slice[], reference: Slice[]): number {
  return median(chapter.map((s) => s.value)) / median(reference.map((s) => s.value));
}
