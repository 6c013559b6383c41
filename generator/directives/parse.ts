/**
 * The directive parser: the lexical rules of docs/spec/directives.md.
 *
 *   <!-- @name:key="value" other='value' unquoted=value bare_key -->
 *
 * Input is the text of ONE Markdown `html` node (the Markdown parser has already
 * decided what is HTML; code spans and fences never reach here). The node is split
 * into directive comments, ordinary comments and other HTML. A comment without "-->"
 * is an error located where it opens. Pure: no I/O.
 */
import { DirectiveProblem } from './errors.ts';

export interface DirectiveAttribute {
  /** The value with escapes resolved (`\"` `\'` `\\`; other backslashes kept), or null for a bare key. */
  value: string | null;
  /** The value exactly as written between the quotes (for directives that give `\n` a meaning). */
  raw: string | null;
}

export interface ParsedDirective {
  name: string;
  /** In source order; keys are unique. */
  attributes: Map<string, DirectiveAttribute>;
}

export type HtmlPart =
  | { kind: 'directive'; directive: ParsedDirective; offset: number; text: string }
  | { kind: 'comment'; offset: number; text: string }
  | { kind: 'html'; offset: number; text: string };

/** A directive comment that breaks the lexical rules; `offset` is the comment's start in the node. */
export class DirectiveSyntaxError extends DirectiveProblem {
  constructor(readonly directive: string, reason: string, readonly offset: number) {
    super(reason);
    this.name = 'DirectiveSyntaxError';
  }
}

// Sticky: matched at a position of the whole text, never on a copy of its rest.
const DIRECTIVE_START = /<!--\s*@(\w+):/y;
const KEY = /[A-Za-z_]\w*/y;
const NEVER_CLOSED = 'this comment is never closed: no "-->" before the end of the file, list item or block quote it opens in';

/** The end of the ordinary comment opening at `open` (`<!-->` and `<!--->` are complete, empty ones), or -1. */
function commentEnd(text: string, open: number): number {
  if (text.startsWith('<!-->', open)) return open + 5;
  if (text.startsWith('<!--->', open)) return open + 6;
  const close = text.indexOf('-->', open + 4);
  return close === -1 ? -1 : close + 3;
}
const WHITESPACE = /\s/;

/** Splits the text of an HTML node into directives, ordinary comments and other HTML. */
export function splitHtml(text: string): HtmlPart[] {
  const parts: HtmlPart[] = [];
  let position = 0;
  while (position < text.length) {
    const open = text.indexOf('<!--', position);
    if (open === -1) {
      parts.push({ kind: 'html', offset: position, text: text.slice(position) });
      break;
    }
    if (open > position) parts.push({ kind: 'html', offset: position, text: text.slice(position, open) });
    DIRECTIVE_START.lastIndex = open;
    const start = DIRECTIVE_START.exec(text);
    // Without "-->" the comment runs to the end of the file (or of its list item or block
    // quote): CommonMark hides everything after it, so say where it opens instead.
    if (start) {
      if (text.indexOf('-->', open + start[0].length) === -1) throw new DirectiveSyntaxError(start[1], `${NEVER_CLOSED} (the directive and everything after it would be lost)`, open);
      const { directive, end } = readUnlessUnclosed(text, open, start[1], open + start[0].length);
      parts.push({ kind: 'directive', directive, offset: open, text: text.slice(open, end) });
      position = end;
    } else {
      const end = commentEnd(text, open);
      if (end === -1) throw new DirectiveSyntaxError('', `${NEVER_CLOSED} (everything after it, directives included, would be hidden)`, open);
      const nested = text.indexOf('<!--', open + 4);
      if (nested !== -1 && nested < end - 3) {
        throw new DirectiveSyntaxError('', 'this comment is not closed before the next "<!--" (comments do not nest: the "-->" that ends it belongs to a later comment, and what lies between would be hidden)', open);
      }
      parts.push({ kind: 'comment', offset: open, text: text.slice(open, end) });
      position = end;
    }
  }
  return parts;
}

/**
 * Parses one comment that must be a directive, e.g. `<!-- @metric:tag="v1" -->`.
 * Returns null for an ordinary comment; throws DirectiveSyntaxError for a broken directive
 * or when the text holds anything besides the one comment.
 */
export function parseDirective(text: string): ParsedDirective | null {
  const parts = splitHtml(text.trim());
  const directives = parts.filter((p) => p.kind === 'directive');
  if (directives.length === 0) return null;
  if (parts.length !== 1) {
    throw new DirectiveSyntaxError(directives[0].directive.name, 'expected exactly one directive comment', directives[0].offset);
  }
  return directives[0].directive;
}

/**
 * A directive that breaks off where another comment opens or a blank line comes before
 * any "-->" was left open by mistake: say so, rather than what the text after it is not.
 */
function readUnlessUnclosed(text: string, open: number, name: string, position: number): { directive: ParsedDirective; end: number } {
  try {
    return readDirective(text, open, name, position);
  } catch (error) {
    const region = text.slice(position, text.indexOf('-->', position));
    const cause = region.includes('<!--') ? 'another comment opens' : /\n[ \t]*\n/.test(region) ? 'a blank line comes' : null;
    if (cause === null) throw error;
    throw new DirectiveSyntaxError(name, `this directive is never closed: ${cause} before its "-->" (the directive and what follows it would be lost)`, open);
  }
}

/** Reads attributes from `position` (just after `@name:`) up to the closing `-->`. */
function readDirective(text: string, open: number, name: string, position: number): { directive: ParsedDirective; end: number } {
  const attributes = new Map<string, DirectiveAttribute>();
  const fail = (reason: string): never => {
    throw new DirectiveSyntaxError(name, reason, open);
  };
  let i = position;
  for (;;) {
    while (i < text.length && WHITESPACE.test(text[i])) i++;
    if (text.startsWith('-->', i)) return { directive: { name, attributes }, end: i + 3 };
    if (i >= text.length) fail('unterminated directive: missing "-->"');
    KEY.lastIndex = i;
    const key = KEY.exec(text)?.[0];
    if (!key) fail(`unexpected ${JSON.stringify(text[i])}: expected key="value" or "-->"`);
    const keyName = key as string;
    if (attributes.has(keyName)) fail(`duplicate key "${keyName}"`);
    i += keyName.length;
    if (text[i] !== '=') {
      attributes.set(keyName, { value: null, raw: null });
    } else {
      i++;
      const quote = text[i];
      if (quote !== '"' && quote !== "'") {
        const end = unquotedEnd(text, i);
        const value = text.slice(i, end);
        if (value === '') fail(`the value of "${keyName}" is empty: write ${keyName}="…"`);
        if (/["'`]/.test(value)) fail(`the value of "${keyName}" holds a quote: quote the whole value with " or '`);
        attributes.set(keyName, { value, raw: value });
        i = end;
        continue;
      }
      i++;
      const rawStart = i;
      let value = '';
      for (;;) {
        if (i >= text.length) fail(`unterminated value of "${keyName}": missing closing ${quote}`);
        const c = text[i];
        if (c === '\\' && i + 1 < text.length) {
          const next = text[i + 1];
          // Only quotes and backslashes are escapes for everyone; `\n` etc. stay as
          // written so that the directive that gives them meaning (@mermaid) can.
          value += next === '"' || next === "'" || next === '\\' ? next : c + next;
          i += 2;
          continue;
        }
        if (c === quote) break;
        value += c;
        i++;
      }
      attributes.set(keyName, { value, raw: text.slice(rawStart, i) });
      i++;
    }
    if (i < text.length && !WHITESPACE.test(text[i]) && !text.startsWith('-->', i)) {
      fail(`expected whitespace or "-->" after "${keyName}", found ${JSON.stringify(text[i])}`);
    }
  }
}

/**
 * Where an unquoted value (`num=3`, as the original BookGen accepted) ends: at whitespace or
 * the closing `-->`. It cannot hold whitespace or a quote, so it reads the same to everyone.
 */
function unquotedEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length && !WHITESPACE.test(text[i]) && !text.startsWith('-->', i)) i++;
  return i;
}

/** Resolves the escapes of a raw attribute value, `\n` meaning a newline (used by @mermaid's diagram). */
export function unescapeWithNewlines(raw: string): string {
  return raw.replace(/\\(.)/gs, (whole, c: string) => {
    if (c === 'n') return '\n';
    if (c === '"' || c === "'" || c === '\\') return c;
    return whole;
  });
}
