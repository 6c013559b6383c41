import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CallgrindFormatError, eventCost, parseCallgrindOutput, totalInstructions } from './callgrind-output.ts';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const fixture = (name: string) => ({ file: join(fixtures, name), text: readFileSync(join(fixtures, name), 'utf8') });

describe('parseCallgrindOutput on recorded files (valgrind 3.19, `valgrind --tool=callgrind sleep 4`)', () => {
  it('reads a dump made by callgrind_control -d: pid, part, trigger, events, summary and totals', () => {
    const { file, text } = fixture('sleep-dump.callgrind.out');
    const part = parseCallgrindOutput(text, file);
    expect(part).toEqual({ pid: 13729, part: 1, cmd: 'sleep 4', trigger: 'dump', events: ['Ir'], summary: [0], totals: [5] });
    expect(eventCost(part)).toBe(5);
  });

  it('reads the file written at program termination', () => {
    const { file, text } = fixture('sleep-exit.callgrind.out');
    const part = parseCallgrindOutput(text, file);
    expect(part.trigger).toBe('Program termination');
    expect(part.part).toBe(2);
    expect(eventCost(part)).toBe(5732);
  });

  it('sums the instructions of several processes (a server and its workers)', () => {
    const dump = fixture('sleep-dump.callgrind.out');
    const exit = fixture('sleep-exit.callgrind.out');
    const parts = [dump, exit].map(({ file, text }) => ({ file, part: parseCallgrindOutput(text, file) }));
    expect(totalInstructions(parts)).toBe(5 + 5732);
  });
});

describe('parseCallgrindOutput on damaged input', () => {
  it('refuses a file cut before its totals line, naming the file', () => {
    const { text } = fixture('sleep-exit.callgrind.out');
    const cut = text.slice(0, text.indexOf('totals:'));
    expect(() => parseCallgrindOutput(cut, 'cut.out')).toThrow(CallgrindFormatError);
    expect(() => parseCallgrindOutput(cut, 'cut.out')).toThrow(/cut\.out: no "totals:" line — the file was cut short/);
  });

  it('refuses text that is not callgrind output', () => {
    expect(() => parseCallgrindOutput('hello\nworld\n', 'x.txt')).toThrow(/x\.txt: no "events:" line/);
  });

  it('points at the line of a malformed cost, file:line', () => {
    const text = 'events: Ir\nsummary: 12\ntotals: 12 banana\n';
    expect(() => parseCallgrindOutput(text, 'bad.out')).toThrow(/bad\.out:3: expected whole numbers, got "12 banana"/);
  });

  it('picks the column of the event asked for, and refuses an event that was not collected', () => {
    const part = parseCallgrindOutput('events: Ir Dr Dw\ntotals: 100 20 7\n', 'multi.out');
    expect(eventCost(part, 'Ir')).toBe(100);
    expect(eventCost(part, 'Dw')).toBe(7);
    expect(() => eventCost(part, 'Bc', 'multi.out')).toThrow(/multi\.out: event Bc was not collected \(events: Ir Dr Dw\)/);
  });
});
