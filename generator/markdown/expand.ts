/**
 * The mdast transform: expands directive comments (found as `html` nodes, block and
 * inline, never by scanning the raw text, so code keeps them literal), turns
 * ```mermaid fences into diagrams, gives headings unique ids and collects the
 * page's title and table of contents.
 */
import type { Code, Heading as MdHeading, Html, Nodes, Paragraph, Root, RootContent, Text } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import type { Point } from 'unist';
import { checkAttributes, type DirectiveContext, type DirectiveOutput } from '../directives/directive.ts';
import { DirectiveError, DirectiveProblem, errorBox, reasonOf } from '../directives/errors.ts';
import { DIRECTIVES } from '../directives/index.ts';
import { escapeHtml } from '../directives/escape.ts';
import { mermaidFigure } from '../directives/mermaid.ts';
import { DirectiveSyntaxError, splitHtml, type ParsedDirective } from '../directives/parse.ts';
import { PageQueries } from './page-queries.ts';
import { Slugger } from './slug.ts';

export interface Heading {
  depth: number;
  text: string;
  id: string;
}

/** Per-page state shared between the transform and renderMarkdown. */
export interface PageRun {
  file: string;
  keepGoing: boolean;
  context: DirectiveContext;
  errors: DirectiveError[];
  /** Not fatal: unknown keys outside --strict, a directive in running text never closed, as `file:line:col @name: reason`. */
  warnings: string[];
  usesCharts: boolean;
  usesMermaid: boolean;
  headings: Heading[];
  firstH1: string | null;
  /** The page's ```sql name blocks, used by name from `query` values. */
  namedQueries: PageQueries;
  /** The notes of the page's checked claims (@assert), in order: listed at its end for the printed book. */
  claimNotes: string[];
}

/** Containers whose children are blocks; any other parent of an html node is phrasing (inline). */
const BLOCK_CONTAINERS = new Set(['root', 'blockquote', 'listItem', 'footnoteDefinition']);

interface ParentNode {
  type: string;
  children: Nodes[];
}

/** Plain text of the directive output, kept on the replacing html node for heading text. */
interface ExpandedHtml extends Html {
  data?: Html['data'] & { directiveText?: string; claimMarksOnly?: boolean };
}

export function expandPage(tree: Root, run: PageRun): void {
  const fail = (error: DirectiveError, node: Nodes) => failure(error, false, run, node);
  run.namedQueries.collect(tree, fail);
  walk(tree as ParentNode, run);
  run.namedQueries.finish(fail);
  collectHeadings(tree, run);
  if (run.claimNotes.length > 0) tree.children.push({ type: 'html', value: claimNotesList(run.claimNotes) });
}

/** The page's checks, numbered as their marks are (a CSS counter): hidden on screen, where each mark shows its own on hover. */
function claimNotesList(notes: string[]): string {
  const items = notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('\n');
  return `<aside class="claim-notes" aria-label="Checks on this page"><p>Checks on this page</p>\n<ol>\n${items}\n</ol></aside>`;
}

function walk(parent: ParentNode, run: PageRun, inTable = false): void {
  const inline = !BLOCK_CONTAINERS.has(parent.type);
  for (let index = 0; index < parent.children.length; index++) {
    let node = parent.children[index];
    if (node.type === 'html' && !inline) {
      const paragraph = inlineDirectiveParagraph(node, parent.children[index + 1]);
      if (paragraph) {
        const previous = parent.children[index - 1];
        if (previous?.type === 'paragraph' && isLineBefore(previous, paragraph.node)) {
          // The comment interrupted a paragraph (CommonMark lets HTML blocks do that): continue it.
          walk(paragraph.node as ParentNode, run, inTable);
          previous.children.push({ type: 'text', value: '\n' }, ...paragraph.node.children);
          if (previous.position && paragraph.node.position) previous.position.end = paragraph.node.position.end;
          parent.children.splice(index, paragraph.mergedNext ? 2 : 1);
          index--;
          continue;
        }
        parent.children.splice(index, paragraph.mergedNext ? 2 : 1, paragraph.node);
        node = paragraph.node;
      }
    }
    if (node.type === 'html') {
      // In a GitHub table a literal pipe is written \| (also inside a directive's value).
      if (inTable) node.value = node.value.replace(/\\\|/g, '|');
      const expanded = expandHtml(node, inline, run);
      const previous = parent.children[index - 1];
      if (expanded.value === '') {
        parent.children.splice(index, 1); // @meta: nothing to show, not even a blank line
        index--;
      } else if (!inline && expanded.data?.claimMarksOnly && previous?.type === 'paragraph') {
        // An @assert below its claim: its mark ends the claim's paragraph, not a line of its own.
        previous.children.push({ type: 'html', value: expanded.value.replace(/>\s+</g, '><').trim() });
        parent.children.splice(index, 1);
        index--;
      } else if (!inline && expanded.data?.claimMarksOnly) {
        parent.children[index] = { ...expanded, value: `<p class="claim-checks">${expanded.value.replace(/>\s+</g, '><').trim()}</p>` };
      } else {
        parent.children[index] = expanded;
      }
    } else if (node.type === 'code' && node.lang === 'mermaid') {
      parent.children[index] = expandMermaidFence(node, run);
    } else if (node.type === 'text' && node.value.includes('<!--')) {
      warnUnclosedInline(node, run);
    } else if ('children' in node) {
      walk(node as ParentNode, run, inTable || node.type === 'table');
    }
  }
}

/** Parses Markdown the way the page processor does (same extensions), for re-reading raw lines. */
const markdownParser = unified().use(remarkParse).use(remarkGfm).freeze();

/**
 * A line that starts with `<!--` is an HTML block in CommonMark: the whole line is raw
 * HTML and the following lines form a separate paragraph. For a line that starts with
 * an inline directive (`<!-- @metric:tag="v1" --> requests/second`) the author meant
 * running text, so the node is re-read as a paragraph (the directive becomes inline
 * HTML, the rest is Markdown again) and joined with the paragraph right below it.
 * Returns null when that reading does not apply; the node is then handled as is.
 */
function inlineDirectiveParagraph(node: Html, next: Nodes | undefined): { node: Paragraph; mergedNext: boolean } | null {
  const start = node.position?.start;
  if (!start) return null;
  let parts;
  try {
    parts = splitHtml(node.value);
  } catch {
    return null; // reported with its location by expandHtml
  }
  const placements = parts.filter((part) => part.kind === 'directive').map((part) => DIRECTIVES.get(part.directive.name)?.placement);
  if (!placements.includes('inline') || placements.some((p) => p !== 'inline' && p !== 'none')) return null;
  // A leading character keeps the comment from starting an HTML block; it is removed below.
  const tree = markdownParser.parse(`x${node.value}`);
  const paragraph = tree.children[0];
  if (tree.children.length !== 1 || paragraph.type !== 'paragraph') return null;
  const first = paragraph.children[0];
  if (first?.type !== 'text' || !first.value.startsWith('x')) return null;
  if (first.value === 'x') paragraph.children.shift();
  else first.value = first.value.slice(1);
  shiftPositions(paragraph, start);
  paragraph.position = { start: { ...start }, end: paragraph.position?.end ?? node.position!.end };
  if (next?.type === 'paragraph' && isLineBefore(node, next)) {
    paragraph.children.push({ type: 'text', value: '\n' }, ...next.children);
    if (next.position) paragraph.position.end = next.position.end;
    return { node: paragraph, mergedNext: true };
  }
  return { node: paragraph, mergedNext: false };
}

/** Whether `after` starts on the line right below the end of `before`. */
function isLineBefore(before: Nodes, after: Nodes): boolean {
  const end = before.position?.end;
  const start = after.position?.start;
  return end !== undefined && start !== undefined && start.line === end.line + 1;
}

/** Moves positions parsed from `x` + node text to where that text sits in the file. */
function shiftPositions(node: Nodes, start: Point): void {
  if (node.position) {
    for (const point of [node.position.start, node.position.end]) {
      if (point.line === 1) point.column += start.column - 2;
      point.line += start.line - 1;
      if (point.offset !== undefined && start.offset !== undefined) point.offset += start.offset - 1;
    }
  }
  if ('children' in node) for (const child of node.children as Nodes[]) shiftPositions(child, start);
}

function expandMermaidFence(node: Code, run: PageRun): Html {
  try {
    const output = mermaidFigure(node.value);
    run.usesMermaid = true;
    return { type: 'html', value: output.html, position: node.position };
  } catch (error) {
    const start = node.position?.start;
    return failure(new DirectiveError(run.file, start?.line ?? 1, start?.column ?? 1, 'mermaid', reasonOf(error)), false, run, node);
  }
}

/** Where the character at `offset` of a node's text sits in the file. */
function locateIn(node: Html | Text, offset: number): { line: number; column: number } {
  const start = node.position?.start ?? { line: 1, column: 1 };
  const before = node.value.slice(0, offset);
  const newlines = before.split('\n').length - 1;
  if (newlines === 0) return { line: start.line, column: start.column + offset };
  return { line: start.line + newlines, column: offset - before.lastIndexOf('\n') };
}

/**
 * `<!-- @metric:tag="v1"` in running text without its `-->` is not HTML for CommonMark
 * (an inline comment must be closed), so it would be printed as text: warn where it is
 * (an error with --strict).
 */
function warnUnclosedInline(node: Text, run: PageRun): void {
  for (const match of node.value.matchAll(/<!--\s*@(\w+):/g)) {
    const at = locateIn(node, match.index);
    const error = new DirectiveError(run.file, at.line, at.column, match[1], 'this directive is never closed ("-->" missing), so it is printed as text');
    if (!run.context.strict) run.warnings.push(error.message);
    else if (run.keepGoing) run.errors.push(error);
    else throw error;
  }
}

function expandHtml(node: Html, inline: boolean, run: PageRun): ExpandedHtml {
  const locate = (offset: number) => locateIn(node, offset);

  let parts;
  try {
    parts = splitHtml(node.value);
  } catch (error) {
    if (!(error instanceof DirectiveSyntaxError)) throw error;
    const at = locate(error.offset);
    return failure(new DirectiveError(run.file, at.line, at.column, error.directive, error.reason), inline, run, node);
  }
  // `<!-- @metric tag="v1" -->` is by the lexical rules an ordinary comment, so the number
  // would silently vanish; for a known directive name that is surely a typo.
  for (const part of parts) {
    const name = part.kind === 'comment' ? /^<!--\s*@(\w+)(?!\w|:)/.exec(part.text)?.[1] : undefined;
    if (name !== undefined && DIRECTIVES.has(name)) {
      const at = locate(part.offset);
      const reason = `missing ":" after @${name} (write <!-- @${name}:key="value" -->)`;
      return failure(new DirectiveError(run.file, at.line, at.column, name, reason), inline, run, node);
    }
  }
  const directives = parts.filter((part) => part.kind === 'directive');
  if (directives.length === 0) return node; // ordinary comments and HTML pass through

  const stray = parts.find((part) => part.kind === 'html' && part.text.trim().length > 0);
  if (stray) {
    const first = directives[0];
    const at = locate(first.offset);
    const excerpt = stray.text.trim().slice(0, 40);
    const reason =
      `a directive comment must be alone in its HTML block, but it shares it with ${JSON.stringify(excerpt)}` +
      ' (a line that starts with "<!--" is raw HTML up to the end of the line holding "-->":' +
      ' put the directive on its own line, or put text before it)';
    return failure(new DirectiveError(run.file, at.line, at.column, first.directive.name, reason), inline, run, node);
  }

  let html = '';
  let text = '';
  let claimMarksOnly = true;
  for (const part of parts) {
    if (part.kind !== 'directive') {
      html += part.text; // ordinary comments and whitespace around the directives
      continue;
    }
    try {
      const at = () => locate(part.offset);
      const warn = (reason: string) => run.warnings.push(`${run.file}:${at().line}:${at().column} @${part.directive.name}: ${reason}`);
      const output = renderDirective(part.directive, inline, run, warn);
      for (const reason of output.warnings ?? []) warn(reason);
      html += output.html;
      text += output.text ?? '';
      run.usesCharts ||= output.usesCharts === true;
      run.usesMermaid ||= output.usesMermaid === true;
      claimMarksOnly &&= output.claimNote !== undefined;
      if (output.claimNote !== undefined) run.claimNotes.push(output.claimNote);
    } catch (error) {
      claimMarksOnly = false;
      const at = locate(part.offset);
      const directiveError = new DirectiveError(run.file, at.line, at.column, part.directive.name, reasonOf(error));
      html += failure(directiveError, inline, run, node).value;
    }
  }
  const expanded: ExpandedHtml = { type: 'html', value: html, position: node.position, data: { directiveText: text, claimMarksOnly } };
  return expanded;
}

function renderDirective(directive: ParsedDirective, inline: boolean, run: PageRun, warn: (reason: string) => void): DirectiveOutput {
  const { context } = run;
  const definition = DIRECTIVES.get(directive.name);
  if (!definition) {
    throw new DirectiveProblem(`unknown directive @${directive.name} (known: ${[...DIRECTIVES.keys()].sort().join(', ')})`);
  }
  // Resolved first, so a directive that fails for another reason still counts as its query's use.
  const query = definition.keys.query ? directive.attributes.get('query')?.value : undefined;
  const resolved = query == null ? undefined : run.namedQueries.resolve(query);
  const attributes = checkAttributes(definition, directive, context.strict ? undefined : warn);
  if (inline && definition.placement === 'block') {
    throw new DirectiveProblem(`@${directive.name} is a block: put it on its own line(s), not inside a paragraph, list text or table cell`);
  }
  if (!resolved?.origin) return definition.render(attributes, context);
  try {
    return definition.render(attributes.with('query', resolved.sql), context);
  } catch (error) {
    throw new DirectiveProblem(`${reasonOf(error)} (in ${resolved.origin})`);
  }
}

/** Throws, or in keepGoing mode records the error and returns a visible error box. */
function failure(error: DirectiveError, inline: boolean, run: PageRun, node: Nodes): Html {
  if (!run.keepGoing) throw error;
  run.errors.push(error);
  return { type: 'html', value: errorBox(error, inline), position: node.position };
}

function collectHeadings(tree: Root, run: PageRun): void {
  const slugger = new Slugger();
  const visit = (nodes: RootContent[]): void => {
    for (const node of nodes) {
      if (node.type === 'heading') {
        const text = plainText(node, true).trim();
        // Ids come from the author's words only, so links stay valid when the numbers change.
        const id = slugger.slug(plainText(node, false).trim());
        const heading = node as MdHeading;
        heading.data = { ...heading.data, hProperties: { ...heading.data?.hProperties, id } };
        if (heading.depth === 1 && run.firstH1 === null) run.firstH1 = text;
        if (heading.depth === 2 || heading.depth === 3) run.headings.push({ depth: heading.depth, text, id });
      } else if ('children' in node) {
        visit(node.children as RootContent[]);
      }
    }
  };
  visit(tree.children);
}

function plainText(node: Nodes, withDirectives: boolean): string {
  if (node.type === 'text' || node.type === 'inlineCode') return node.value;
  if (node.type === 'html') return withDirectives ? ((node as ExpandedHtml).data?.directiveText ?? '') : '';
  if ('children' in node) return (node.children as Nodes[]).map((child) => plainText(child, withDirectives)).join('');
  return '';
}
