import { describe, expect, it } from 'vitest';
import { parseByteSize, parseDurationToMicroseconds, parseSiNumber } from './units.ts';

describe('parseDurationToMicroseconds', () => {
  it('converts every unit wrk and oha print into microseconds', () => {
    expect(parseDurationToMicroseconds('103.52us')).toBeCloseTo(103.52, 9);
    expect(parseDurationToMicroseconds('12µs')).toBe(12);
    expect(parseDurationToMicroseconds('1.23ms')).toBeCloseTo(1230, 9);
    expect(parseDurationToMicroseconds('2.00s')).toBe(2_000_000);
    expect(parseDurationToMicroseconds('1.50m')).toBe(90_000_000);
    expect(parseDurationToMicroseconds('1h')).toBe(3_600_000_000);
    expect(parseDurationToMicroseconds('500ns')).toBeCloseTo(0.5, 9);
  });
  it('rejects a number without a unit and an unknown unit', () => {
    expect(() => parseDurationToMicroseconds('12')).toThrow(/unknown time unit/);
    expect(() => parseDurationToMicroseconds('12parsecs')).toThrow(/unknown time unit/);
    expect(() => parseDurationToMicroseconds('fast')).toThrow(/not a time/);
  });
});

describe('parseSiNumber', () => {
  it('scales k, M and G by powers of 1000', () => {
    expect(parseSiNumber('12.34k')).toBeCloseTo(12_340, 9);
    expect(parseSiNumber('2M')).toBe(2_000_000);
    expect(parseSiNumber('1.5G')).toBe(1_500_000_000);
    expect(parseSiNumber('18232.61')).toBe(18232.61);
  });
  it('rejects an unknown suffix', () => {
    expect(() => parseSiNumber('3x')).toThrow(/unknown SI suffix/);
  });
});

describe('parseByteSize', () => {
  it('scales KB, MB and GB by powers of 1024, as wrk prints them', () => {
    expect(parseByteSize('512B')).toBe(512);
    expect(parseByteSize('570.78KB')).toBeCloseTo(570.78 * 1024, 6);
    expect(parseByteSize('6.54MB')).toBeCloseTo(6.54 * 1024 * 1024, 6);
    expect(parseByteSize('1GB')).toBe(1024 ** 3);
  });
  it('rejects an unknown unit', () => {
    expect(() => parseByteSize('3 furlongs')).toThrow(/unknown byte unit/);
  });
});
