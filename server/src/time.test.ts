import { describe, expect, it } from 'vitest';
import { parseProviderDateTime, parseQueryDateTime, utcDateAndTime, utcMillis } from './time.ts';

describe('utcMillis', () => {
  it('rejects days that do not exist', () => {
    expect(utcMillis(2021, 9, 31)).toBeNull();
    expect(utcMillis(2021, 2, 29)).toBeNull();
    expect(utcMillis(2024, 2, 29)).toBe(Date.UTC(2024, 1, 29));
    expect(utcMillis(1900, 2, 29)).toBeNull();
    expect(utcMillis(2000, 2, 29)).toBe(Date.UTC(2000, 1, 29));
  });
  it('does not map two-digit years onto the 1900s', () => {
    expect(new Date(utcMillis(50, 1, 1)!).getUTCFullYear()).toBe(50);
  });
});

describe('parseProviderDateTime', () => {
  it('reads wall-clock times as UTC', () => {
    expect(parseProviderDateTime('2021-06-30T21:00:00')).toBe(Date.UTC(2021, 5, 30, 21));
  });
  it.each(['2021-09-31T20:00:00', '2021-06-30', '2021-06-30T25:00:00', 'soon', '', undefined])('rejects %j', (text) => {
    expect(parseProviderDateTime(text)).toBeNull();
  });
});

describe('parseQueryDateTime', () => {
  const ok = (millis: number) => ({ ok: true, millis });
  it.each([
    ['2021-02-01T00:00:00Z', Date.UTC(2021, 1, 1)],
    ['2021-02-01T00:00:00', Date.UTC(2021, 1, 1)],
    ['2021-02-01', Date.UTC(2021, 1, 1)],
    ['2021-02-01T02:00:00+02:00', Date.UTC(2021, 1, 1)],
    ['2021-02-01T02:00:00 02:00', Date.UTC(2021, 1, 1)],
    ['2021-01-31T22:00:00-02:00', Date.UTC(2021, 1, 1)],
    ['2021-02-01T05:30+0530', Date.UTC(2021, 1, 1)],
    ['2021-02-01T00:00:00.250Z', Date.UTC(2021, 1, 1, 0, 0, 0, 250)],
  ])('parses %s', (text, millis) => {
    expect(parseQueryDateTime(text)).toEqual(ok(millis));
  });
  it.each(['2021-02-30', '2021-02-30T00:00:00Z', '2021-00-10', '2021-02-01T24:00:00', '2021-02-01T10:60:00', '2021-02-01T10:00:00+19:00'])(
    'calls %s impossible',
    (text) => expect(parseQueryDateTime(text)).toEqual({ ok: false, reason: 'impossible' }),
  );
  it.each(['', 'yesterday', '2021-2-1', '20210201', '2021-02-01Z', '2021-02-01T10', '1612137600'])('calls %j unparseable', (text) => {
    expect(parseQueryDateTime(text)).toEqual({ ok: false, reason: 'unparseable' });
  });
  it('does not depend on the process time zone', () => {
    expect(utcDateAndTime(Date.UTC(2021, 5, 30, 21, 0, 5))).toEqual({ date: '2021-06-30', time: '21:00:05' });
  });
});
