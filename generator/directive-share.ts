/**
 * How much of a page's source is directive text: the characters of its directive
 * comments (found the way the build finds them: `html` nodes of the Markdown tree, so
 * examples in code are prose) against all its characters, and the longest SQL written
 * inside a directive (a `query` value that is not the name of a page's query).
 * Named query blocks (```sql name) are counted apart: they are definitions, read once.
 *
 *   node --import tsx generator/directive-share.ts [book]   # one line per page
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Code, Html, Nodes } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { splitHtml } from './directives/parse.ts';
import { isNamedQueryUse, isNamedQueryBlock } from './directives/named-queries.ts';

export interface DirectiveShare {
  /** Characters of the whole source. */
  total: number;
  /** Characters inside directive comments, `<!--` to `-->`. */
  directive: number;
  /** Characters of named query blocks (fence lines included). */
  definitions: number;
  /** The longest SQL written inside one directive (0 when every query is used by name). */
  longestInlineSql: number;
}

const parser = unified().use(remarkParse).use(remarkGfm).freeze();

export function measureDirectiveShare(source: string): DirectiveShare {
  const share: DirectiveShare = { total: source.length, directive: 0, definitions: 0, longestInlineSql: 0 };
  const visit = (node: Nodes): void => {
    if (node.type === 'html') measureHtml(node, share);
    else if (node.type === 'code' && isNamedQueryBlock(node as Code)) {
      const { start, end } = node.position ?? {};
      share.definitions += (end?.offset ?? 0) - (start?.offset ?? 0);
    } else if ('children' in node) for (const child of node.children as Nodes[]) visit(child);
  };
  visit(parser.parse(source));
  return share;
}

function measureHtml(node: Html, share: DirectiveShare): void {
  let parts;
  try {
    parts = splitHtml(node.value);
  } catch {
    return; // the build reports it
  }
  for (const part of parts) {
    if (part.kind !== 'directive') continue;
    share.directive += part.text.length;
    const query = part.directive.attributes.get('query')?.value;
    if (query && !isNamedQueryUse(query)) share.longestInlineSql = Math.max(share.longestInlineSql, query.length);
  }
}

/** Every Markdown page under `dir`, with its path relative to `root`. */
export function bookPages(dir: string, root = dir): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return bookPages(path, root);
      return name.endsWith('.md') ? [relative(root, path)] : [];
    });
}

function main(dir: string): void {
  const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`.padStart(6);
  console.log('page                                  chars  directives  definitions  longest SQL in a directive');
  for (const page of bookPages(dir)) {
    const share = measureDirectiveShare(readFileSync(join(dir, page), 'utf8'));
    console.log(`${page.padEnd(36)} ${String(share.total).padStart(6)}  ${percent(share.directive, share.total)}      ${percent(share.definitions, share.total)}       ${share.longestInlineSql}`);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) main(process.argv[2] ?? 'book');
