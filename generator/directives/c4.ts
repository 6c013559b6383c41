/**
 * @c4 — a C4 model drawn by Mermaid's C4 diagrams:
 *   <!-- @c4:title="Context" model="Person(user, \"Reader\")\nSystem(book, \"Book\")\nRel(user, book, \"reads\")" -->
 * `model` (or `diagram`) holds the C4 elements, `\n` meaning a newline; `type` picks the
 * diagram kind (default C4Context). A model that already starts with a C4 kind is used as is.
 */
import type { DirectiveDefinition } from './directive.ts';
import { DirectiveProblem } from './errors.ts';
import { mermaidFigure } from './mermaid.ts';
import { unescapeWithNewlines } from './parse.ts';

export const C4_TYPES = ['C4Context', 'C4Container', 'C4Component', 'C4Dynamic', 'C4Deployment'] as const;

/** The Mermaid source for a C4 model. */
export function c4Diagram(model: string, type = 'C4Context'): string {
  if (!(C4_TYPES as readonly string[]).includes(type)) throw new DirectiveProblem(`unknown type "${type}" (allowed: ${C4_TYPES.join(', ')})`);
  const body = model.trim();
  if (body.length === 0) throw new DirectiveProblem('the model is empty');
  const firstWord = body.split(/\s/, 1)[0];
  if ((C4_TYPES as readonly string[]).includes(firstWord)) return body;
  return `${type}\n${body}`;
}

export const c4: DirectiveDefinition = {
  name: 'c4',
  placement: 'block',
  keys: { model: {}, diagram: {}, title: {}, type: {} },
  render(attributes) {
    const raw = attributes.raw('model') ?? attributes.raw('diagram');
    if (attributes.has('model') && attributes.has('diagram')) throw new DirectiveProblem('give either "model" or "diagram", not both');
    if (raw === undefined) throw new DirectiveProblem('missing required key "model" (the C4 elements: Person(…), System(…), Rel(…))');
    return mermaidFigure(c4Diagram(unescapeWithNewlines(raw), attributes.get('type')), attributes.get('title'));
  },
};
