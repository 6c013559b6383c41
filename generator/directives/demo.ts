/**
 * @demo — a recorded demonstration (a command and what it printed), from the database:
 *   <!-- @demo:name="search-hot" title="One search, by hand" -->
 * Reads the `demo_outputs` table (columns `name`, `output`, optionally `command`); the
 * benchmark database has it only when something recorded demos, so without it the
 * directive is an error that says so, never an empty box.
 */
import type { DirectiveDefinition } from './directive.ts';
import { DirectiveProblem } from './errors.ts';
import { escapeHtml } from './escape.ts';

export const DEMO_TABLE = 'demo_outputs';

export const demo: DirectiveDefinition = {
  name: 'demo',
  placement: 'block',
  keys: { name: { required: true }, title: {} },
  render(attributes, context) {
    const name = attributes.get('name') as string;
    const exists = context.queries.run(`SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?`, [DEMO_TABLE]).rows.length > 0;
    if (!exists) {
      throw new DirectiveProblem(`@demo reads the ${DEMO_TABLE} table (columns name, output, optionally command), which this database does not have`);
    }
    const result = context.queries.run(`SELECT * FROM ${DEMO_TABLE}`);
    const column = (wanted: string) => result.columns.indexOf(wanted);
    const [nameAt, outputAt, commandAt] = [column('name'), column('output'), column('command')];
    if (nameAt === -1 || outputAt === -1) {
      throw new DirectiveProblem(`${DEMO_TABLE} needs the columns name and output (it has: ${result.columns.join(', ')})`);
    }
    const rows = result.rows.filter((row) => row[nameAt] === name);
    if (rows.length === 0) {
      const known = [...new Set(result.rows.map((row) => String(row[nameAt])))];
      throw new DirectiveProblem(`no demo named "${name}" in ${DEMO_TABLE} (known: ${known.join(', ') || 'none'})`);
    }
    const row = rows[rows.length - 1]; // recorded again: the latest recording
    const command = commandAt === -1 || row[commandAt] === null ? '' : `<span class="demo-command">$ ${escapeHtml(String(row[commandAt]))}</span>\n`;
    const output = row[outputAt] === null ? '' : escapeHtml(String(row[outputAt]));
    const title = attributes.get('title');
    const caption = title === undefined ? '' : `<figcaption>${escapeHtml(title)}</figcaption>`;
    return { html: `<figure class="demo"><pre><code>${command}${output}</code></pre>${caption}</figure>` };
  },
};
