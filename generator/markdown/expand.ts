/**
 * The mdast transform: expands directive comments (found as `html` nodes, block and
 * inline, never by scanning the raw text, so code keeps them literal), turns
 * ```mermaid fences into diagrams, gives headings unique ids and collects the
 * page's title and table of contents.
 */
import type { Code, Heading as MdHeading, Html, Nodes, Root, RootContent } from 'mdast';
import { checkAttributes, type DirectiveContext, type DirectiveOutput } from '../directives/directive.ts';
import { DirectiveError, DirectiveProblem, reasonOf } from '../directives/errors.ts';
import { escapeHtml } from '../directives/escape.ts';
import { DIRECTIVES } from '../directives/index.ts';
import { mermaidFigure } from '../directives/mermaid.ts';
import { DirectiveSyntaxError, splitHtml, type ParsedDirective } from '../directives/parse.ts';
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
  usesCharts: boolean;
  usesMermaid: boolean;
  headings: Heading[];
  firstH1: string | null;
}

/** Containers whose children are blocks; any other parent of an html node is phrasing (inline). */
const BLOCK_CONTAINERS = new Set(['root', 'blockquote', 'listItem', 'footnoteDefinition']);

interface ParentNode {
  type: string;
  children: Nodes[];
}

/** Plain text of the directive output, kept on the replacing html node for heading text. */
interface ExpandedHtml extends Html {
  data?: Html['data'] & { directiveText?: string };
}

export function expandPage(tree: Root, run: PageRun): void {
  walk(tree as ParentNode, run);
  collectHeadings(tree, run);
}

function walk(parent: ParentNode, run: PageRun): void {
  const inline = !BLOCK_CONTAINERS.has(parent.type);
  for (let index = 0; index < parent.children.length; index++) {
    const node = parent.children[index];
    if (node.type === 'html') {
      const expanded = expandHtml(node, inline, run);
      if (expanded.value === '') {
        parent.children.splice(index, 1); // @meta: nothing to show, not even a blank line
        index--;
      } else {
        parent.children[index] = expanded;
      }
    } else if (node.type === 'code' && node.lang === 'mermaid') {
      parent.children[index] = expandMermaidFence(node, run);
    } else if ('children' in node) {
      walk(node as ParentNode, run);
    }
  }
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

function expandHtml(node: Html, inline: boolean, run: PageRun): Html {
  const start = node.position?.start ?? { line: 1, column: 1 };
  const locate = (offset: number): { line: number; column: number } => {
    const before = node.value.slice(0, offset);
    const newlines = before.split('\n').length - 1;
    if (newlines === 0) return { line: start.line, column: start.column + offset };
    return { line: start.line + newlines, column: offset - before.lastIndexOf('\n') };
  };

  let parts;
  try {
    parts = splitHtml(node.value);
  } catch (error) {
    if (!(error instanceof DirectiveSyntaxError)) throw error;
    const at = locate(error.offset);
    return failure(new DirectiveError(run.file, at.line, at.column, error.directive, error.reason), inline, run, node);
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
  for (const part of parts) {
    if (part.kind !== 'directive') {
      html += part.text; // ordinary comments and whitespace around the directives
      continue;
    }
    try {
      const output = renderDirective(part.directive, inline, run.context);
      html += output.html;
      text += output.text ?? '';
      run.usesCharts ||= output.usesCharts === true;
      run.usesMermaid ||= output.usesMermaid === true;
    } catch (error) {
      const at = locate(part.offset);
      const directiveError = new DirectiveError(run.file, at.line, at.column, part.directive.name, reasonOf(error));
      html += failure(directiveError, inline, run, node).value;
    }
  }
  const expanded: ExpandedHtml = { type: 'html', value: html, position: node.position, data: { directiveText: text } };
  return expanded;
}

function renderDirective(directive: ParsedDirective, inline: boolean, context: DirectiveContext): DirectiveOutput {
  const definition = DIRECTIVES.get(directive.name);
  if (!definition) {
    throw new DirectiveProblem(`unknown directive @${directive.name} (known: ${[...DIRECTIVES.keys()].sort().join(', ')})`);
  }
  const attributes = checkAttributes(definition, directive);
  const output = definition.render(attributes, context);
  if (inline && output.placement === 'block') {
    throw new DirectiveProblem(`@${directive.name} is a block: put it on its own line(s), not inside a paragraph, list text or table cell`);
  }
  return output;
}

/** Throws, or in keepGoing mode records the error and returns a visible error box. */
function failure(error: DirectiveError, inline: boolean, run: PageRun, node: Nodes): Html {
  if (!run.keepGoing) throw error;
  run.errors.push(error);
  const tag = inline ? 'span' : 'div';
  return {
    type: 'html',
    value: `<${tag} class="directive-error" role="alert">${escapeHtml(error.message)}</${tag}>`,
    position: node.position,
  };
}

function collectHeadings(tree: Root, run: PageRun): void {
  const slugger = new Slugger();
  const visit = (nodes: RootContent[]): void => {
    for (const node of nodes) {
      if (node.type === 'heading') {
        const text = plainText(node).trim();
        const id = slugger.slug(text);
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

function plainText(node: Nodes): string {
  if (node.type === 'text' || node.type === 'inlineCode') return node.value;
  if (node.type === 'html') return (node as ExpandedHtml).data?.directiveText ?? '';
  if ('children' in node) return (node.children as Nodes[]).map(plainText).join('');
  return '';
}
