/**
 * Number formats shared by @metric and @table.
 *
 * Explicit formats: `short` (541K, 1.2M), `comma` (541,275), `decimal` (302.6),
 * `percent` (+42.3%), `latency` (µs below 1 ms, then ms, then s).
 * Defaults, chosen by the field/column name:
 *   - *rps* / requests_per_second       → comma (integer)
 *   - *_latency_us                      → latency: "850 µs", "1.23 ms", "12.3 ms", "1.52 s"
 *   - improvement_percent / *_percent   → percent with sign, one decimal: "+42.3%"
 *   - any other number                  → integers with commas; others at most 2 decimals
 * Formats are only ever applied to real numbers; a non-number is an error, never a 0.
 */
import { DirectiveProblem } from './errors.ts';

export const NUMBER_FORMATS = ['short', 'comma', 'decimal', 'percent', 'latency'] as const;
export type NumberFormat = (typeof NUMBER_FORMATS)[number];

export function isNumberFormat(name: string): name is NumberFormat {
  return (NUMBER_FORMATS as readonly string[]).includes(name);
}

/** Checks an author-given format name. */
export function checkFormat(name: string): NumberFormat {
  if (!isNumberFormat(name)) throw new DirectiveProblem(`unknown format "${name}" (allowed: ${NUMBER_FORMATS.join(', ')})`);
  return name;
}

/** Made on first use: the first Intl.NumberFormat loads ICU data, which a build that renders nothing should not pay for. */
function lazyFormat(options: Intl.NumberFormatOptions): { format(value: number): string } {
  let format: Intl.NumberFormat | undefined;
  return { format: (value) => (format ??= new Intl.NumberFormat('en-US', options)).format(value) };
}
const grouped = (fractionDigits: number) => lazyFormat({ minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits });
const INTEGER = grouped(0);
const ONE_DECIMAL = grouped(1);
const GENERIC = lazyFormat({ maximumFractionDigits: 2 });

/** The format used when the author gives none, by field or column name. */
export function defaultFormatFor(field: string): NumberFormat | 'generic' {
  const name = field.toLowerCase();
  if (/latency_us$/.test(name)) return 'latency';
  if (/percent$/.test(name)) return 'percent';
  if (/(^|_)rps(_|$)|requests_per_second/.test(name)) return 'comma';
  return 'generic';
}

export function formatNumber(value: number, format: NumberFormat | 'generic'): string {
  if (!Number.isFinite(value)) throw new DirectiveProblem(`cannot format ${value} as a number`);
  switch (format) {
    case 'comma':
      return INTEGER.format(Math.round(value));
    case 'decimal':
      return ONE_DECIMAL.format(value);
    case 'short':
      return formatShort(value);
    case 'percent':
      return `${value > 0 ? '+' : ''}${ONE_DECIMAL.format(value)}%`;
    case 'latency':
      return formatLatency(value);
    case 'generic':
      return GENERIC.format(value);
  }
}

const SHORT_UNITS: [number, string][] = [
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'K'],
];

/** 541275 → "541K", 1234567 → "1.2M", 12345 → "12.3K", 302.6 → "303". */
function formatShort(value: number): string {
  const sign = value < 0 ? '-' : '';
  const magnitude = Math.abs(value);
  for (let u = 0; u < SHORT_UNITS.length; u++) {
    const [unit, suffix] = SHORT_UNITS[u];
    if (magnitude < unit) continue;
    const scaled = magnitude / unit;
    const text = trimZero(scaled.toFixed(scaled >= 100 ? 0 : 1));
    // 999,950 rounds to "1000K": say "1M" instead.
    if (Number(text) >= 1000 && u > 0) return `${sign}${trimZero((Number(text) / 1000).toFixed(1))}${SHORT_UNITS[u - 1][1]}`;
    return `${sign}${text}${suffix}`;
  }
  return `${sign}${Math.round(magnitude)}`;
}

/** Microseconds as a reader would say them: "850 µs", "1.23 ms", "12.3 ms", "250 ms", "1.52 s". */
function formatLatency(microseconds: number): string {
  const magnitude = Math.abs(microseconds);
  if (magnitude < 1000) return `${INTEGER.format(Math.round(microseconds))} µs`;
  if (magnitude < 1e6) {
    const ms = microseconds / 1000;
    const digits = Math.abs(ms) < 10 ? 2 : Math.abs(ms) < 100 ? 1 : 0;
    return `${ms.toFixed(digits)} ms`;
  }
  return `${(microseconds / 1e6).toFixed(2)} s`;
}

function trimZero(text: string): string {
  return text.endsWith('.0') ? text.slice(0, -2) : text;
}
