import type { CatalogEntry } from './catalog.ts';
import type { SearchIndex } from './search-index.ts';
import { quoteInput } from './quote.ts';
import { parseQueryDateTime, utcDateAndTime } from './time.ts';

/** Inclusive containment bounds in epoch ms; null is an open bound. */
export interface SearchRange {
  startsAt: number | null;
  endsAt: number | null;
}

export type SearchQueryParse = { ok: true; range: SearchRange } | { ok: false; message: string };

/** One event of the 200 body, in the order and shape of the spec. */
export interface EventView {
  id: string;
  title: string;
  start_date: string;
  start_time: string;
  end_date: string;
  end_time: string;
  min_price: number | null;
  max_price: number | null;
}

const BOUNDS = ['starts_at', 'ends_at'] as const;

/**
 * Validates the query string of `GET /search` (raw, without the leading '?').
 * Unknown parameters are ignored; each bound may appear at most once.
 */
export function parseSearchQuery(rawQuery: string): SearchQueryParse {
  const params = new URLSearchParams(rawQuery);
  for (const key of params.keys()) {
    // `starts_at[]=` / `starts_at[a]=`: array or object syntax for a bound is a mistake, not an unknown parameter.
    const bound = BOUNDS.find((name) => key.startsWith(`${name}[`));
    if (bound) return { ok: false, message: `${bound}: "${quoteInput(key)}" is not a parameter; give ${bound} once, as ${bound}=<date-time>` };
  }
  const range: SearchRange = { startsAt: null, endsAt: null };
  for (const name of BOUNDS) {
    const values = params.getAll(name);
    if (values.length === 0) continue;
    if (values.length > 1) return { ok: false, message: `${name}: given ${values.length} times, expected at most once` };
    const value = values[0];
    const parsed = parseQueryDateTime(value);
    if (!parsed.ok) {
      return {
        ok: false,
        message:
          parsed.reason === 'impossible'
            ? `${name}: "${quoteInput(value)}" is not a real date-time`
            : `${name}: "${quoteInput(value)}" is not an ISO 8601 date-time (e.g. 2021-02-01T00:00:00Z, 2021-02-01T00:00:00+02:00 or 2021-02-01)`,
      };
    }
    if (name === 'starts_at') range.startsAt = parsed.millis;
    else range.endsAt = parsed.millis;
  }
  if (range.startsAt !== null && range.endsAt !== null && range.startsAt > range.endsAt) {
    return { ok: false, message: 'starts_at is after ends_at' };
  }
  return { ok: true, range };
}

/** Containment, inclusive: start >= starts_at and end <= ends_at; ordered by start, then id. */
export function searchEvents(index: SearchIndex, range: SearchRange): EventView[] {
  return index.search(range).map(toEventView);
}

export function toEventView(entry: CatalogEntry): EventView {
  const start = utcDateAndTime(entry.startsAt);
  const end = utcDateAndTime(entry.endsAt);
  return {
    id: entry.id,
    title: entry.title,
    start_date: start.date,
    start_time: start.time,
    end_date: end.date,
    end_time: end.time,
    min_price: entry.minPrice,
    max_price: entry.maxPrice,
  };
}
