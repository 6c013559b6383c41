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
 * The searchable catalogue in answer order, packed into four typed arrays so that it crosses
 * from the ingest worker to the main thread by transfer, without copying or cloning objects:
 * event i's JSON is `json[offsets[i], offsets[i + 1] - 1)`, each followed by a comma, so a run
 * of consecutive events is one contiguous slice.
 */
export interface PackedCatalogue {
  starts: Float64Array;
  ends: Float64Array;
  /** count + 1 byte offsets into `json`. */
  offsets: Uint32Array;
  json: Uint8Array;
  /** The longest end - start, ms. */
  longestMs: number;
}

const COMMA = 0x2c;

/** Sorts (a copy of) the entries into answer order and packs them. Pure. */
export function packCatalogue(entries: readonly CatalogEntry[]): PackedCatalogue {
  const sorted = [...entries].sort(compareEntries);
  const offsets = new Uint32Array(sorted.length + 1);
  for (let i = 0; i < sorted.length; i++) offsets[i + 1] = offsets[i] + sorted[i].json.length + 1;
  const json = new Uint8Array(offsets[sorted.length]); // its own ArrayBuffer: transferable
  sorted.forEach((entry, i) => {
    json.set(entry.json, offsets[i]);
    json[offsets[i + 1] - 1] = COMMA;
  });
  return {
    starts: Float64Array.from(sorted, (e) => e.startsAt),
    ends: Float64Array.from(sorted, (e) => e.endsAt),
    offsets,
    json,
    longestMs: sorted.reduce((longest, e) => Math.max(longest, e.endsAt - e.startsAt), 0),
  };
}

/** The typed arrays to list as transferables when posting a PackedCatalogue. */
export function transferablesOf(packed: PackedCatalogue): ArrayBuffer[] {
  return [packed.starts.buffer, packed.ends.buffer, packed.offsets.buffer, packed.json.buffer] as ArrayBuffer[];
}

const PREFIX = Buffer.from('{"data":{"events":[');
const SUFFIX = Buffer.from(']},"error":null}');

/**
 * Searches a packed catalogue. Containment (start >= S, end <= E) costs O(log n + window):
 * - start >= S: the window begins at lowerBound(S);
 * - end <= E implies start <= E (an end is never before its start): the window ends at upperBound(E);
 * - inside it, only events starting after E - longest duration can end after E; those before
 *   are taken without looking at their end, as one contiguous slice of JSON.
 * Immutable; a catalogue change makes a new one.
 */
export class SearchIndex {
  /** Which catalogue this indexes; answers cached under another version are stale. */
  readonly version: number;

  constructor(private readonly packed: PackedCatalogue, version = 0) {
    this.version = version;
  }

  get size(): number {
    return this.packed.starts.length;
  }

  /** The 200 body of /search for `range`: the matching events' JSON, copied together. */
  answer(range: SearchRange): Buffer {
    const { starts, ends, offsets, json, longestMs } = this.packed;
    const from = range.startsAt === null ? 0 : lowerBound(starts, range.startsAt);
    const to = range.endsAt === null ? starts.length : upperBound(starts, range.endsAt);
    const surelyInside = range.endsAt === null ? to : Math.min(to, Math.max(from, upperBound(starts, range.endsAt - longestMs)));
    // Byte ranges, each with its trailing comma: the run, then the tail events that fit.
    const pieces: number[] = surelyInside > from ? [offsets[from], offsets[surelyInside]] : [];
    for (let i = Math.max(from, surelyInside); i < to; i++) {
      if (ends[i] <= (range.endsAt as number)) pieces.push(offsets[i], offsets[i + 1]);
    }
    let length = PREFIX.length + SUFFIX.length;
    for (let p = 0; p < pieces.length; p += 2) length += pieces[p + 1] - pieces[p];
    if (pieces.length > 0) length--; // no comma after the last event
    const out = Buffer.allocUnsafe(length);
    let at = PREFIX.copy(out, 0);
    for (let p = 0; p < pieces.length; p += 2) {
      out.set(json.subarray(pieces[p], pieces[p + 1]), at);
      at += pieces[p + 1] - pieces[p];
    }
    if (pieces.length > 0) at--; // overwrite the last comma
    SUFFIX.copy(out, at);
    return out;
  }
}
