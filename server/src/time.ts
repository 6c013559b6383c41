/**
 * Calendar arithmetic in UTC only. The provider's wall-clock times and query values without
 * an offset are read as UTC; the process's local time zone is never consulted.
 */

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Epoch milliseconds of a UTC calendar time, or null when any field is out of range (e.g. 2021-09-31). */
export function utcMillis(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number | null {
  if (month < 1 || month > 12) return null;
  if (day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0..99 onto 1900..1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

const PROVIDER_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

/** A provider date-time (`2021-06-30T21:00:00`, no zone) as epoch ms, or null if malformed or impossible. */
export function parseProviderDateTime(text: string | undefined): number | null {
  if (text === undefined) return null;
  const m = PROVIDER_DATE_TIME.exec(text.trim());
  if (!m) return null;
  return utcMillis(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6], fractionToMillis(m[7]));
}

function fractionToMillis(fraction: string | undefined): number {
  return fraction ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0;
}

// Date, optional time (minutes or seconds precision, optional fraction), optional offset.
// The offset sign may arrive as a space: an unencoded '+' in a query string decodes to ' '.
const QUERY_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+\- ])(\d{2}):?(\d{2}))?)?$/;

export type QueryDateParse =
  | { ok: true; millis: number }
  | { ok: false; reason: 'unparseable' | 'impossible' };

/**
 * A query value: ISO 8601 date-time with or without offset, or a plain date (midnight UTC).
 * Without an offset the value is UTC; with one it is converted to UTC.
 */
export function parseQueryDateTime(text: string): QueryDateParse {
  const m = QUERY_DATE_TIME.exec(text);
  if (!m) return { ok: false, reason: 'unparseable' };
  const [, y, mo, d, h, mi, s, frac, zulu, sign, offH, offM] = m;
  const local = utcMillis(+y, +mo, +d, h ? +h : 0, mi ? +mi : 0, s ? +s : 0, fractionToMillis(frac));
  if (local === null) return { ok: false, reason: 'impossible' };
  if (zulu || !sign) return { ok: true, millis: local };
  const offsetHours = +offH;
  const offsetMinutes = +offM;
  if (offsetHours > 18 || offsetMinutes > 59) return { ok: false, reason: 'impossible' };
  const offsetMillis = (offsetHours * 60 + offsetMinutes) * 60_000 * (sign === '-' ? -1 : 1);
  return { ok: true, millis: local - offsetMillis };
}

/** `YYYY-MM-DD` and `HH:MM:SS` of an epoch-ms instant, in UTC. */
export function utcDateAndTime(millis: number): { date: string; time: string } {
  const iso = new Date(millis).toISOString(); // 2021-06-30T21:00:00.000Z
  return { date: iso.slice(0, 10), time: iso.slice(11, 19) };
}
