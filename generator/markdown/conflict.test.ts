import { describe, expect, it } from 'vitest';
import { findConflict } from './conflict.ts';

describe('findConflict', () => {
  it('locates an unresolved merge conflict at its first marker', () => {
    const source = ['# Title', '', '<<<<<<< HEAD', 'ours', '=======', 'theirs', '>>>>>>> pages', '', 'After.'].join('\n');
    expect(findConflict(source)).toEqual({
      line: 3,
      column: 1,
      reason: 'an unresolved merge conflict, lines 3 to 7 ("<<<<<<<" to ">>>>>>>"): keep the text that belongs and delete the markers',
    });
  });

  it('leaves markers shown in fenced code, a setext underline and a lone marker alone', () => {
    const fenced = ['````text', '<<<<<<< HEAD', '```', '>>>>>>> pages', '````'].join('\n');
    expect(findConflict(fenced)).toBeNull();
    expect(findConflict(['Heading', '=======', '', 'Text.'].join('\n'))).toBeNull();
    expect(findConflict(['<<<<<<< not closed', 'text'].join('\n'))).toBeNull();
  });
});
