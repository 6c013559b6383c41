import { describe, expect, it } from 'vitest';
import { findDeepNesting, MAX_NESTING, pageTooLarge } from './bounds.ts';

const indented = (levels: number) => Array.from({ length: levels }, (_, i) => `${'  '.repeat(i)}- item`).join('\n');

describe('findDeepNesting', () => {
  it('accepts the limit and refuses one more, for every way to nest', () => {
    const forms: Record<string, (n: number) => string> = {
      'list markers on one line': (n) => `# x\n\n${'- '.repeat(n)}d\n`,
      'block quotes': (n) => `${'> '.repeat(n)}d\n`,
      'block quotes without spaces': (n) => `${'>'.repeat(n)}d\n`,
      'ordered lists': (n) => `${'1. '.repeat(n)}d\n`,
      'quotes and lists mixed': (n) => `${'> - '.repeat(n / 2)}d\n`,
      'indented list items': indented,
    };
    for (const [name, form] of Object.entries(forms)) {
      expect(findDeepNesting(form(MAX_NESTING)), name).toBeNull();
      expect(findDeepNesting(form(MAX_NESTING + 2)), name).toMatchObject({ reason: expect.stringContaining(`deeper than ${MAX_NESTING}`) });
    }
  });

  it('locates the line and the column where the limit is passed', () => {
    expect(findDeepNesting(`# x\n\ntext\n${'- '.repeat(40)}d\n`, 32)).toMatchObject({ line: 4, column: 65 });
    expect(findDeepNesting(indented(40), 32)).toMatchObject({ line: 33 });
  });

  it('does not count rules, fenced code or ordinary text', () => {
    expect(findDeepNesting(`${'- '.repeat(60)}-\n`)).toBeNull();
    expect(findDeepNesting(`\`\`\`\n${'> '.repeat(60)}\n${' '.repeat(200)}x\n\`\`\`\ntext - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -\n`)).toBeNull();
    expect(findDeepNesting(`\`\`\`\ncode\n\`\`\`\n${'> '.repeat(60)}d\n`)).toMatchObject({ line: 4 });
  });

  it('scans 10,000 levels at once', () => {
    expect(findDeepNesting(`${'- '.repeat(10_000)}d`)).toMatchObject({ line: 1, column: 2 * MAX_NESTING + 1 });
  });
});

describe('pageTooLarge', () => {
  it('names the size, the limit and the flag', () => {
    expect(pageTooLarge(52_428_800, 1_048_576).reason).toBe('the page is 52,428,800 bytes, over the limit of 1,048,576 (raise it with --max-page-bytes)');
  });
});
