import { describe, expect, it } from 'vitest';
import { decodeFeed, decodeFeedSlices } from './decode-feed.ts';
import { parseFeedBytes, parseFeedSlices } from './parse-feed.ts';

const declared = (encoding: string, body: string) => `<?xml version="1.0" encoding="${encoding}"?>${body}`;
const feed = (title: string) =>
  `<planList><output><base_plan base_plan_id="1" sell_mode="online" title="${title}"><plan plan_id="2" plan_start_date="2021-01-01T10:00:00" plan_end_date="2021-01-01T11:00:00"/></base_plan></output></planList>`;

describe('decodeFeed', () => {
  it('reads UTF-8 by default and with a BOM', () => {
    expect(decodeFeed(Buffer.from('<a>Café</a>', 'utf8'))).toEqual({ ok: true, text: '<a>Café</a>', encoding: 'utf-8' });
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<a>é</a>', 'utf8')]);
    expect(decodeFeed(bom)).toMatchObject({ ok: true, text: '<a>é</a>' });
  });

  it('honours a declared ISO-8859-1, byte for byte', () => {
    const bytes = Buffer.from(declared('ISO-8859-1', '<a>Café \u0080</a>'), 'latin1');
    expect(decodeFeed(bytes)).toEqual({ ok: true, text: declared('ISO-8859-1', '<a>Café \u0080</a>'), encoding: 'iso-8859-1' });
  });

  it('honours other declared encodings and UTF-16 BOMs', () => {
    expect(decodeFeed(Buffer.from(declared('ISO-8859-15', '<a>\xa4</a>'), 'latin1'))).toMatchObject({ ok: true, text: declared('ISO-8859-15', '<a>€</a>') });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<a>é</a>', 'utf16le')]);
    expect(decodeFeed(utf16)).toMatchObject({ ok: true, text: '<a>é</a>' });
  });

  it('decodes in slices, a character split between two slices whole', () => {
    const text = '<a>Café 😀 été</a>';
    for (const sliceBytes of [1, 2, 3, 5]) {
      const sliced = decodeFeedSlices(Buffer.from(text, 'utf8'), sliceBytes);
      expect(sliced.ok && [...sliced.slices].join('')).toBe(text);
    }
    const latin1 = decodeFeedSlices(Buffer.from(declared('ISO-8859-1', '<a>Café</a>'), 'latin1'), 4);
    expect(latin1.ok && [...latin1.slices].join('')).toBe(declared('ISO-8859-1', '<a>Café</a>'));
  });

  it('refuses an encoding it does not know', () => {
    expect(decodeFeed(Buffer.from(declared('klingon-8', '<a/>')))).toEqual({ ok: false, error: 'unsupported encoding "klingon-8"' });
  });
});

describe('parseFeedBytes', () => {
  const title = (bytes: Buffer) => {
    const parsed = parseFeedBytes(bytes);
    return parsed.ok ? parsed.plans[0].title : parsed.error;
  };

  it('serves an ISO-8859-1 feed with its accents (no U+FFFD)', () => {
    expect(title(Buffer.from(declared('ISO-8859-1', feed('Monólogos en el Café')), 'latin1'))).toBe('Monólogos en el Café');
  });

  it('decodes numeric character references, decimal and hexadecimal', () => {
    expect(title(Buffer.from(feed('Caf&#233; &#xE9;t&#233; &amp; &#128512;')))).toBe('Café été & 😀');
    expect(title(Buffer.from(feed('&amp;#233; stays text')))).toBe('&#233; stays text');
  });
});

describe('parseFeedSlices', () => {
  it('parses a document cut anywhere the same as whole, and keeps an entity XML does not define as written', () => {
    const xml = feed('Caf&#233; &nbsp;&amp; more');
    const whole = parseFeedSlices([xml]);
    expect(whole.ok && whole.plans[0].title).toBe('Café &nbsp;& more');
    for (let cut = 1; cut < xml.length; cut += 7) expect(parseFeedSlices([xml.slice(0, cut), xml.slice(cut)])).toEqual(whole);
  });

  it('rejects a document whose DTD arrives in a later slice', () => {
    const xml = '<?xml version="1.0"?><!DOCTYPE planList [<!ENTITY t "x">]><planList><output/></planList>';
    expect(parseFeedSlices([xml.slice(0, 25), xml.slice(25)])).toEqual({ ok: false, error: expect.stringContaining('declares a DTD or entities') });
  });
});
