import { describe, expect, it } from 'vitest';
import { DirectiveError, DirectiveProblem, reasonOf } from './errors.ts';

describe('DirectiveError', () => {
  it('formats file:line:col @directive: reason and keeps the parts', () => {
    const error = new DirectiveError('book/server/06-load-shedding.md', 338, 1, 'chart', 'no such column: observed_rp');
    expect(error.message).toBe('book/server/06-load-shedding.md:338:1 @chart: no such column: observed_rp');
    expect([error.file, error.line, error.column, error.directive, error.reason]).toEqual([
      'book/server/06-load-shedding.md',
      338,
      1,
      'chart',
      'no such column: observed_rp',
    ]);
    expect(error).toBeInstanceOf(Error);
  });
});

describe('reasonOf', () => {
  it('takes the reason of a problem, the message of an error, the text of anything else', () => {
    expect(reasonOf(new DirectiveProblem('bad'))).toBe('bad');
    expect(reasonOf(new Error('worse'))).toBe('worse');
    expect(reasonOf('plain')).toBe('plain');
  });
});
