import { quoteInput } from './quote.ts';
import { parseQueryDateTime } from './time.ts';

/** Inclusive containment bounds in epoch ms; null is an open bound. */
export interface SearchRange {
  startsAt: number | null;
  endsAt: number | null;
}

/** The cache key of a range: equal for every spelling of the same bounds. */
export function rangeKey(range: SearchRange): string {
  return `${range.startsAt ?? ''}/${range.endsAt ?? ''}`;
}

export type SearchQueryParse = { ok: true; range: SearchRange } | { ok: false; message: string };

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
