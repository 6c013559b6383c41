import { describe, expect, it } from 'vitest';
import { DirectiveProblem } from './errors.ts';
import { checkFormat, defaultFormatFor, formatNumber } from './format.ts';

describe('formatNumber', () => {
  it('short: K, M, B with one decimal below 100', () => {
    expect(formatNumber(541_275, 'short')).toBe('541K');
    expect(formatNumber(1_234_567, 'short')).toBe('1.2M');
    expect(formatNumber(12_345, 'short')).toBe('12.3K');
    expect(formatNumber(2_000, 'short')).toBe('2K');
    expect(formatNumber(999_950, 'short')).toBe('1M');
    expect(formatNumber(302.6, 'short')).toBe('303');
    expect(formatNumber(3_400_000_000, 'short')).toBe('3.4B');
  });

  it('comma, decimal, percent', () => {
    expect(formatNumber(541_275.4, 'comma')).toBe('541,275');
    expect(formatNumber(302.64, 'decimal')).toBe('302.6');
    expect(formatNumber(42.26, 'percent')).toBe('+42.3%');
    expect(formatNumber(-3.04, 'percent')).toBe('-3.0%');
    expect(formatNumber(0, 'percent')).toBe('0.0%');
  });

  it('latency: µs below a millisecond, then ms, then s', () => {
    expect(formatNumber(850.4, 'latency')).toBe('850 µs');
    expect(formatNumber(1234.5, 'latency')).toBe('1.23 ms');
    expect(formatNumber(12_345, 'latency')).toBe('12.3 ms');
    expect(formatNumber(250_000, 'latency')).toBe('250 ms');
    expect(formatNumber(1_520_000, 'latency')).toBe('1.52 s');
  });

  it('generic: grouping, at most two decimals', () => {
    expect(formatNumber(12345, 'generic')).toBe('12,345');
    expect(formatNumber(0.93456, 'generic')).toBe('0.93');
  });

  it('refuses non-finite numbers', () => {
    expect(() => formatNumber(Number.NaN, 'comma')).toThrow(DirectiveProblem);
  });
});

describe('defaultFormatFor', () => {
  it('chooses by field name', () => {
    expect(defaultFormatFor('baseline_rps')).toBe('comma');
    expect(defaultFormatFor('RPS')).toBe('comma');
    expect(defaultFormatFor('requests_per_second')).toBe('comma');
    expect(defaultFormatFor('p99_latency_us')).toBe('latency');
    expect(defaultFormatFor('improvement_percent')).toBe('percent');
    expect(defaultFormatFor('chapter_number')).toBe('generic');
  });
});

describe('checkFormat', () => {
  it('lists the allowed formats for an unknown one', () => {
    expect(() => checkFormat('fancy')).toThrow('unknown format "fancy" (allowed: short, comma, decimal, percent, latency)');
  });
});
