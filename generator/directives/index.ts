/** The directives a book may use, by name. */
import { assertDirective } from './assert.ts';
import { c4 } from './c4.ts';
import { chart } from './chart.ts';
import { demo } from './demo.ts';
import type { DirectiveDefinition } from './directive.ts';
import { footer } from './footer.ts';
import { git } from './git.ts';
import { meta } from './meta.ts';
import { mermaid } from './mermaid.ts';
import { metric } from './metric.ts';
import { table } from './table.ts';

export const DIRECTIVES: ReadonlyMap<string, DirectiveDefinition> = new Map(
  [metric, chart, table, meta, git, footer, mermaid, c4, assertDirective, demo].map((definition) => [definition.name, definition]),
);
