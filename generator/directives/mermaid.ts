/**
 * @mermaid — a Mermaid diagram, drawn in the browser by the site's client script:
 *   <!-- @mermaid:title="Pipeline" diagram="flowchart LR\n A --> B" -->
 * In `diagram`, `\n` means a newline. ```mermaid fences render the same way.
 */
import type { DirectiveDefinition, DirectiveOutput } from './directive.ts';
import { DirectiveProblem } from './errors.ts';
import { escapeHtml } from './escape.ts';
import { unescapeWithNewlines } from './parse.ts';

/** The figure the client script looks for (`pre.mermaid`). */
export function mermaidFigure(diagram: string, title?: string): DirectiveOutput {
  if (diagram.trim().length === 0) throw new DirectiveProblem('the diagram is empty');
  const caption = title ? `<figcaption>${escapeHtml(title)}</figcaption>` : '';
  return {
    html: `<figure class="mermaid-figure"><pre class="mermaid">${escapeHtml(diagram)}</pre>${caption}</figure>`,
    usesMermaid: true,
  };
}

export const mermaid: DirectiveDefinition = {
  name: 'mermaid',
  placement: 'block',
  keys: { diagram: { required: true }, title: {} },
  render(attributes) {
    return mermaidFigure(unescapeWithNewlines(attributes.raw('diagram') ?? ''), attributes.get('title'));
  },
};
