/**
 * @demo — a captured demonstration (what a command printed), from the `demo_outputs` table:
 *   <!-- @demo:num="3" -->                                     the original BookGen's form
 *   <!-- @demo:name="search-hot" title="One search, by hand" -->
 * `num` finds the row by `demo_number` and captions it "Demo 3: <title>" with its
 * description; `name` finds the latest row of that `name`, shows its `command`, and captions
 * it with the title (given, or the row's) and the description. `npm run compression-levels --
 * --capture` writes such rows (bench/capture.ts).
 * A demo with no captured output says so in words, never an empty box, with --strict
 * too: --strict is the build after an edition (every chapter just measured), and an
 * edition measures chapters; it captures no demo, so it cannot have left one out.
 */
import type { DirectiveContext, DirectiveDefinition } from './directive.ts';
import { DirectiveProblem } from './errors.ts';
import { escapeHtml } from './escape.ts';

export const DEMO_TABLE = 'demo_outputs';

type Value = string | number | null | Uint8Array;

/** The rows of demo_outputs as objects; the columns it has (a book's own database may lack some). */
function demoRows(context: DirectiveContext): { columns: string[]; rows: Record<string, Value>[] } {
  const exists = context.queries.run(`SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?`, [DEMO_TABLE]).rows.length > 0;
  if (!exists) throw new DirectiveProblem(`@demo reads the ${DEMO_TABLE} table, which this database does not have`);
  const result = context.queries.run(`SELECT * FROM ${DEMO_TABLE}`);
  const rows = result.rows.map((row) => Object.fromEntries(result.columns.map((column, i) => [column, row[i] as Value])));
  return { columns: result.columns, rows };
}

function requireColumns(columns: string[], wanted: string[]): void {
  const missing = wanted.filter((column) => !columns.includes(column));
  if (missing.length > 0) throw new DirectiveProblem(`${DEMO_TABLE} needs the columns ${wanted.join(', ')} (it has: ${columns.join(', ')})`);
}

const text = (value: Value | undefined): string | null => (value === null || value === undefined ? null : String(value));

function figure(output: string, command: string | null, caption: string): string {
  const commandHtml = command === null ? '' : `<span class="demo-command">$ ${escapeHtml(command)}</span>\n`;
  return `<figure class="demo"><pre><code>${commandHtml}${escapeHtml(output)}</code></pre>${caption}</figure>`;
}

/** The heading and, beside it, the row's description (where and when it was printed, for a capture of bench/capture.ts); none when both are empty. */
function captionOf(heading: string, description: string | null): string {
  const parts = [heading ? escapeHtml(heading) : '', description ? `<span class="demo-description">${escapeHtml(description)}</span>` : ''].filter(Boolean);
  return parts.length === 0 ? '' : `<figcaption>${parts.join(' ')}</figcaption>`;
}

/** What a reader sees of a demo nobody captured. */
function notCaptured(label: string): string {
  return `<p class="demo demo-missing"><span class="metric-missing">${escapeHtml(label[0].toUpperCase() + label.slice(1))}: no output captured yet.</span></p>`;
}

function byNumber(written: string, title: string | undefined, context: DirectiveContext): string {
  if (!/^\d+$/.test(written)) throw new DirectiveProblem(`num="${written}" is not a demo number (a whole number, e.g. num="3")`);
  const number = Number(written);
  const { columns, rows } = demoRows(context);
  requireColumns(columns, ['demo_number', 'output']);
  const row = rows.find((r) => Number(r.demo_number) === number);
  if (!row) return notCaptured(`demo ${number}`);
  const named = title ?? text(row.title);
  return figure(text(row.output) ?? '', text(row.command), captionOf(named ? `Demo ${number}: ${named}` : `Demo ${number}`, text(row.description)));
}

function byName(name: string, title: string | undefined, context: DirectiveContext): string {
  const { columns, rows } = demoRows(context);
  requireColumns(columns, ['name', 'output']);
  const matching = rows.filter((r) => r.name === name);
  if (matching.length === 0) return notCaptured(`demo "${name}"`);
  const row = matching[matching.length - 1]; // captured again: the latest capture
  return figure(text(row.output) ?? '', text(row.command), captionOf(title ?? text(row.title) ?? '', text(row.description)));
}

export const demo: DirectiveDefinition = {
  name: 'demo',
  placement: 'block',
  keys: { num: {}, name: {}, title: {} },
  render(attributes, context) {
    const [num, name, title] = [attributes.get('num'), attributes.get('name'), attributes.get('title')];
    if ((num === undefined) === (name === undefined)) {
      throw new DirectiveProblem(num === undefined ? 'missing required key "num" (or "name")' : 'give "num" or "name", not both');
    }
    return { html: num !== undefined ? byNumber(num, title, context) : byName(name as string, title, context) };
  },
};
