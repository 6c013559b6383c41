/**
 * What a page may be before it is parsed: at most `--max-page-bytes` long, and nested at
 * most MAX_NESTING containers deep (block quotes and list items). The Markdown parser's
 * time grows faster than the depth (most steeply for indented lists) and the tree walks
 * after it recurse once per level, so deeper pages are refused, located,
 * by a linear scan of each line's start instead of being parsed. Pure: no I/O.
 */

/** The deepest nesting of block quotes and list items a page may use (the book uses 3). */
export const MAX_NESTING = 32;

/** A page longer than this is refused unless --max-page-bytes raises it (the book's longest is ~22 KB). */
export const DEFAULT_MAX_PAGE_BYTES = 1024 * 1024;

export interface Located {
  line: number;
  column: number;
  reason: string;
}

/** Why a page is refused before it is parsed, or null: its size first (then `markdown` is not looked at, and need not have been read), then its nesting. */
export function pageRefusal(bytes: number, maxBytes: number, markdown: string): Located | null {
  return bytes > maxBytes ? pageTooLarge(bytes, maxBytes) : findDeepNesting(markdown);
}

export function pageTooLarge(bytes: number, maxBytes: number): Located {
  return {
    line: 1,
    column: 1,
    reason: `the page is ${bytes.toLocaleString('en-US')} bytes, over the limit of ${maxBytes.toLocaleString('en-US')} (raise it with --max-page-bytes)`,
  };
}

/**
 * The first place where the page nests deeper than `max`, or null. On each line the
 * container markers at its start are counted (`>`, `-`, `+`, `*`, `1.`, `1)`), plus one
 * level for every two columns of indentation that no marker accounts for (a list item's
 * content is indented by at least two). Lines inside fenced code are not counted.
 * The count may exceed the parser's by a little (an ordered item indents by three), never fall short.
 */
export function findDeepNesting(source: string, max: number = MAX_NESTING): Located | null {
  let fence: { char: string; length: number } | null = null;
  let line = 1;
  for (let start = 0; start <= source.length; line++) {
    let end = source.indexOf('\n', start);
    if (end === -1) end = source.length;
    const prefix = scanPrefix(source, start, end, max);
    if (prefix.tooDeep !== null) {
      if (fence === null && !isThematicBreak(source.slice(start, end))) {
        return { line, column: prefix.tooDeep + 1, reason: `nested deeper than ${max} block quotes and list items (the limit of this generator); flatten the page` };
      }
    }
    fence = nextFence(fence, source.slice(prefix.contentAt, Math.min(end, prefix.contentAt + 200)));
    start = end + 1;
  }
  return null;
}

/** Counts the containers a line's start opens or continues; `tooDeep` is the column (0-based) where the count passes `max`. */
function scanPrefix(source: string, start: number, end: number, max: number): { tooDeep: number | null; contentAt: number } {
  let depth = 0;
  let looseColumns = 0;
  /** Columns of whitespace right after a marker belong to it (one after `>`, up to four after a list marker). */
  let owed = 0;
  let tooDeep: number | null = null;
  let i = start;
  while (i < end) {
    const c = source[i];
    if (c === ' ' || c === '\t') {
      const width = c === '\t' ? 4 : 1;
      if (owed > 0) owed = Math.max(0, owed - width);
      else looseColumns += width;
      i++;
    } else if (c === '>') {
      depth++;
      owed = 1;
      i++;
    } else {
      const marker = listMarkerLength(source, i, end);
      if (marker === 0) break;
      depth++;
      owed = 4;
      i += marker;
    }
    if (tooDeep === null && depth + Math.floor(looseColumns / 2) > max) tooDeep = i - 1 - start;
  }
  return { tooDeep, contentAt: i };
}

/** Length of a list marker at `i` (`-`, `+`, `*`, or up to nine digits and `.`/`)`) followed by whitespace or the line's end; 0 if none. */
function listMarkerLength(source: string, i: number, end: number): number {
  let length = 0;
  const c = source[i];
  if (c === '-' || c === '+' || c === '*') length = 1;
  else {
    while (length < 9 && i + length < end && source[i + length] >= '0' && source[i + length] <= '9') length++;
    if (length === 0 || (source[i + length] !== '.' && source[i + length] !== ')')) return 0;
    length++;
  }
  const after = i + length;
  return after >= end || source[after] === ' ' || source[after] === '\t' ? length : 0;
}

/** `- - -`, `* * *`, `_ _ _`: a rule, not nested lists. */
function isThematicBreak(text: string): boolean {
  return /^\s*([-*_])(\s*\1){2,}\s*$/.test(text);
}

/** The fence a line opens, keeps or closes (``` or ~~~, closed by at least as many of the same); `content` is the line after its indentation. */
export function nextFence(fence: { char: string; length: number } | null, content: string): { char: string; length: number } | null {
  const match = /^(`{3,}|~{3,})/.exec(content);
  if (fence === null) return match ? { char: match[1][0], length: match[1].length } : null;
  if (match && match[1][0] === fence.char && match[1].length >= fence.length && content.slice(match[1].length).trim() === '') return null;
  return fence;
}
