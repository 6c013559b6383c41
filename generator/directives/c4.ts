/**
 * @c4 — a C4 model drawn by Mermaid's C4 diagrams:
 *   <!-- @c4:title="Context" model="Person(user, \"Reader\")\nSystem(book, \"Book\")\nRel(user, book, \"reads\")" -->
 * `model` (or `diagram`) holds the C4 elements, `\n` meaning a newline; `type` picks the
 * diagram kind (default C4Context), or `level` the same by the C4 model's level
 * (`context`/1, `container`/2, `component`/3, plus `dynamic` and `deployment`).
 * A model that already starts with a C4 kind is used as is.
 */
import type { DirectiveDefinition } from './directive.ts';
import { DirectiveProblem } from './errors.ts';
import { mermaidFigure } from './mermaid.ts';
import { unescapeWithNewlines } from './parse.ts';

export const C4_TYPES = ['C4Context', 'C4Container', 'C4Component', 'C4Dynamic', 'C4Deployment'] as const;

/** C4 levels as the original BookGen's `level` names them, and the diagram kind drawing each. */
export const C4_LEVELS: Record<string, (typeof C4_TYPES)[number]> = {
  context: 'C4Context',
  '1': 'C4Context',
  container: 'C4Container',
  '2': 'C4Container',
  component: 'C4Component',
  '3': 'C4Component',
  dynamic: 'C4Dynamic',
  deployment: 'C4Deployment',
};

/** The diagram kind for `level` (a name or number, any case). */
export function c4TypeOfLevel(level: string): string {
  const normalized = level.trim().toLowerCase();
  const type = C4_LEVELS[normalized];
  if (type) return type;
  if (normalized === 'code' || normalized === '4') {
    throw new DirectiveProblem('level "code" (4) is not drawn: Mermaid has no C4 code diagram (use a class diagram with @mermaid)');
  }
  throw new DirectiveProblem(`unknown level "${level}" (allowed: context or 1, container or 2, component or 3, dynamic, deployment)`);
}

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
  keys: { model: {}, diagram: {}, title: {}, type: {}, level: {} },
  render(attributes) {
    const raw = attributes.raw('model') ?? attributes.raw('diagram');
    if (attributes.has('model') && attributes.has('diagram')) throw new DirectiveProblem('give either "model" or "diagram", not both');
    if (raw === undefined) throw new DirectiveProblem('missing required key "model" (the C4 elements: Person(…), System(…), Rel(…))');
    const level = attributes.get('level');
    if (level !== undefined && attributes.has('type')) throw new DirectiveProblem('give either "type" or "level", not both');
    const type = level === undefined ? attributes.get('type') : c4TypeOfLevel(level);
    return mermaidFigure(c4Diagram(unescapeWithNewlines(raw), type), attributes.get('title'));
  },
};
