/** The directives a book may use, by name. */
import type { DirectiveDefinition } from './directive.ts';
import { meta } from './meta.ts';
import { mermaid } from './mermaid.ts';
import { metric } from './metric.ts';

export const DIRECTIVES: ReadonlyMap<string, DirectiveDefinition> = new Map(
  [metric, meta, mermaid].map((definition) => [definition.name, definition]),
);
