import type { CatalogEntry } from './catalog.ts';
import type { SearchRange } from './search.ts';

/** Catalogue order: by start, then id (the order of every answer). */
export function compareEntries(a: CatalogEntry, b: CatalogEntry): number {
  return a.startsAt - b.startsAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** First index in `sorted` whose value is >= `value` (sorted.length if none). */
export function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in `sorted` whose value is > `value` (sorted.length if none). */
export function upperBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The searchable catalogue kept in answer order, with its starts in a typed array for binary
 * search. Containment (start >= S, end <= E) then costs O(log n + window):
 * - start >= S: the window begins at lowerBound(S);
 * - end <= E implies start <= E (an end is never before its start): the window ends at upperBound(E);
 * - inside it, only events starting after E - longest duration can end after E; those before
 *   are taken without looking at their end.
 * Built once per catalogue change, immutable afterwards.
 */
export class SearchIndex {
  readonly entries: readonly CatalogEntry[];
  /** Which catalogue this indexes; answers cached under another version are stale. */
  readonly version: number;
  private readonly starts: Float64Array;
  private readonly longestMs: number;

  constructor(entries: readonly CatalogEntry[], version = 0) {
    this.version = version;
    this.entries = [...entries].sort(compareEntries);
    this.starts = Float64Array.from(this.entries, (e) => e.startsAt);
    this.longestMs = this.entries.reduce((longest, e) => Math.max(longest, e.endsAt - e.startsAt), 0);
  }

  get size(): number {
    return this.entries.length;
  }

  /** The matching entries, in answer order. */
  search(range: SearchRange): CatalogEntry[] {
    const from = range.startsAt === null ? 0 : lowerBound(this.starts, range.startsAt);
    if (range.endsAt === null) return this.entries.slice(from);
    const to = upperBound(this.starts, range.endsAt);
    if (to <= from) return [];
    const surelyInside = Math.max(from, upperBound(this.starts, range.endsAt - this.longestMs));
    const found = this.entries.slice(from, surelyInside);
    for (let i = surelyInside; i < to; i++) {
      const entry = this.entries[i];
      if (entry.endsAt <= range.endsAt) found.push(entry);
    }
    return found;
  }
}
