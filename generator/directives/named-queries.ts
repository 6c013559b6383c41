/**
 * Named queries: SQL defined once on a page and used by name from `@metric`, `@chart`,
 * `@table` and `@assert` (spec: docs/spec/directives.md, "Named queries").
 *
 *   ```sql chapter_share(tag, scenario = 'hot')
 *   SELECT 100.0 * ratio_median FROM reference_ratios … WHERE tag = :tag AND scenario = :scenario
 *   ```
 *   <!-- @metric:query="chapter_share('v2-node-http')" format="decimal" -->
 *
 * A definition is a fenced block whose info string is `sql` followed by a name (and
 * optionally its parameters); it renders nothing. A use is a `query` value that is a
 * name, optionally with arguments: SQL literals, by position or by name. Arguments are
 * written into the SQL as literals of our own making, so a value can never become SQL.
 * Pure: the Markdown transform (markdown/expand.ts) locates and reports.
 */
import type { Code } from 'mdast';
import { DirectiveProblem } from './errors.ts';

export interface QueryParameter {
  name: string;
  /** A SQL literal, as it will be written into the query; undefined: the use must give it. */
  defaultValue?: string;
}

export interface QueryDefinition {
  name: string;
  parameters: QueryParameter[];
  sql: string;
}

export interface QueryUse {
  name: string;
  positional: string[];
  named: Map<string, string>;
}

const NAME = /^[A-Za-z_]\w*/;
/** A `query` value that starts with one of these is SQL, even when it looks like a call (`VALUES(1)`). */
const SQL_KEYWORDS = new Set(['select', 'with', 'values']);

/** Whether a fenced block defines a named query: info string `sql` and a name after it. */
export function isNamedQueryBlock(node: Code): boolean {
  return node.lang === 'sql' && typeof node.meta === 'string' && node.meta.trim().length > 0;
}

/** Whether a `query` value names a page's query instead of holding SQL. */
export function isNamedQueryUse(value: string): boolean {
  const name = NAME.exec(value.trim())?.[0];
  if (!name || SQL_KEYWORDS.has(name.toLowerCase())) return false;
  const rest = value.trim().slice(name.length).trim();
  return rest === '' || rest.startsWith('(');
}

/** `chapter_runs(tag, scenario = 'hot')` + body → a definition; throws on a malformed header or body. */
export function parseDefinition(header: string, body: string): QueryDefinition {
  const reader = new Reader(header.trim());
  const name = reader.name('a query name after ```sql (```sql my_query)');
  const parameters: QueryParameter[] = [];
  if (reader.take('(')) {
    if (!reader.take(')')) {
      for (;;) {
        const parameter = reader.name('a parameter name');
        if (parameters.some((p) => p.name === parameter)) throw new DirectiveProblem(`parameter "${parameter}" is declared twice`);
        parameters.push(reader.take('=') ? { name: parameter, defaultValue: reader.literal() } : { name: parameter });
        if (reader.take(')')) break;
        reader.expect(',');
      }
    }
  }
  reader.end(`after the query's ${parameters.length > 0 ? 'parameters' : 'name'} (write \`\`\`sql ${name}(param, other = 'default'))`);
  if (body.trim() === '') throw new DirectiveProblem(`query "${name}" is empty`);
  const declared = new Set(parameters.map((p) => p.name));
  const referenced = new Set<string>();
  substitute(body, (parameter) => {
    if (!declared.has(parameter)) {
      const known = parameters.length > 0 ? `its parameters: ${parameters.map((p) => p.name).join(', ')}` : 'it declares none';
      throw new DirectiveProblem(`query "${name}" uses :${parameter}, which is not a parameter (${known}; declare it: \`\`\`sql ${name}(${parameter}))`);
    }
    referenced.add(parameter);
    return '';
  });
  const unused = parameters.find((p) => !referenced.has(p.name));
  if (unused) throw new DirectiveProblem(`query "${name}" declares parameter "${unused.name}" but its SQL never uses :${unused.name}`);
  return { name, parameters, sql: body };
}

/** `chapter_runs('v1-baseline', scenario = 'cold')` → the name and its arguments as SQL literals. */
export function parseUse(value: string): QueryUse {
  const reader = new Reader(value.trim());
  const name = reader.name('a query name');
  const use: QueryUse = { name, positional: [], named: new Map() };
  if (reader.take('(') && !reader.take(')')) {
    for (;;) {
      const key = reader.peekNamedArgument();
      if (key !== null) {
        if (use.named.has(key)) throw new DirectiveProblem(`argument "${key}" is given twice`);
        use.named.set(key, reader.literal());
      } else {
        if (use.named.size > 0) throw new DirectiveProblem('an argument by position cannot follow one by name');
        use.positional.push(reader.literal());
      }
      if (reader.take(')')) break;
      reader.expect(',');
    }
  }
  reader.end(`after ${name}(…) (arguments are SQL literals: ${name}('v1-baseline', 2))`);
  return use;
}

/** The SQL of a use: every `:parameter` replaced by its argument or default. */
export function bindQuery(definition: QueryDefinition, use: QueryUse): string {
  const { name, parameters } = definition;
  const signature = `${name}(${parameters.map((p) => (p.defaultValue === undefined ? p.name : `${p.name} = ${p.defaultValue}`)).join(', ')})`;
  if (use.positional.length > parameters.length) {
    throw new DirectiveProblem(`query ${signature} takes ${parameters.length} argument${parameters.length === 1 ? '' : 's'}, given ${use.positional.length}`);
  }
  const values = new Map<string, string>();
  use.positional.forEach((value, index) => values.set(parameters[index].name, value));
  for (const [key, value] of use.named) {
    if (!parameters.some((p) => p.name === key)) throw new DirectiveProblem(`query ${signature} has no parameter "${key}"`);
    if (values.has(key)) throw new DirectiveProblem(`argument "${key}" of ${signature} is given by position and by name`);
    values.set(key, value);
  }
  for (const parameter of parameters) {
    if (values.has(parameter.name)) continue;
    if (parameter.defaultValue === undefined) {
      throw new DirectiveProblem(`query ${signature} needs "${parameter.name}": write ${name}(${parameters.map((p) => `${p.name} = …`).join(', ')})`);
    }
    values.set(parameter.name, parameter.defaultValue);
  }
  return substitute(definition.sql, (parameter) => values.get(parameter) as string);
}

/**
 * Calls `replace` for every `:name` of the SQL outside strings, quoted identifiers and
 * comments, and returns the SQL with each replaced.
 */
function substitute(sql: string, replace: (parameter: string) => string): string {
  let out = '';
  let i = 0;
  const copyUntil = (end: number) => {
    const stop = end === -1 ? sql.length : end;
    out += sql.slice(i, stop);
    i = stop;
  };
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"' || c === '`') {
      let end = i + 1;
      for (;;) {
        end = sql.indexOf(c, end);
        if (end === -1 || sql[end + 1] !== c) break;
        end += 2; // a doubled quote is the quote itself
      }
      copyUntil(end === -1 ? -1 : end + 1);
    } else if (c === '[') {
      const end = sql.indexOf(']', i);
      copyUntil(end === -1 ? -1 : end + 1);
    } else if (sql.startsWith('--', i)) {
      copyUntil(sql.indexOf('\n', i));
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2);
      copyUntil(end === -1 ? -1 : end + 2);
    } else if (c === ':' && NAME.test(sql.slice(i + 1)) && !/\w/.test(sql[i - 1] ?? '')) {
      const parameter = NAME.exec(sql.slice(i + 1))?.[0] as string;
      out += replace(parameter);
      i += 1 + parameter.length;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** A tiny reader for the header `name(a, b = 'x')` and the use `name('v1', b = 2)`. */
class Reader {
  private position = 0;
  constructor(private readonly text: string) {}

  private skipSpace(): void {
    while (/\s/.test(this.text[this.position] ?? '')) this.position++;
  }

  private where(): string {
    return this.position >= this.text.length ? 'the end' : JSON.stringify(this.text.slice(this.position, this.position + 12));
  }

  name(what: string): string {
    this.skipSpace();
    const name = NAME.exec(this.text.slice(this.position))?.[0];
    if (!name) throw new DirectiveProblem(`expected ${what}, found ${this.where()}`);
    this.position += name.length;
    return name;
  }

  take(token: string): boolean {
    this.skipSpace();
    if (!this.text.startsWith(token, this.position)) return false;
    this.position += token.length;
    return true;
  }

  expect(token: string): void {
    if (!this.take(token)) throw new DirectiveProblem(`expected "${token}", found ${this.where()}`);
  }

  end(hint: string): void {
    this.skipSpace();
    if (this.position < this.text.length) throw new DirectiveProblem(`unexpected ${this.where()} ${hint}`);
  }

  /** `key =` ahead (consumed, key returned), or null (nothing consumed). */
  peekNamedArgument(): string | null {
    const match = /^\s*([A-Za-z_]\w*)\s*=(?!=)/.exec(this.text.slice(this.position));
    if (!match || match[1].toUpperCase() === 'NULL') return null;
    this.position += match[0].length;
    return match[1];
  }

  /** A SQL literal: 'text' ('' for a quote), a number, or NULL; returned as SQL text. */
  literal(): string {
    this.skipSpace();
    const rest = this.text.slice(this.position);
    const match = /^(?:'(?:[^']|'')*'|[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|NULL\b)/i.exec(rest);
    if (!match) {
      throw new DirectiveProblem(`expected a value ('text', a number or NULL), found ${this.where()}${rest.startsWith('"') ? " (text takes single quotes: 'v1-baseline')" : ''}`);
    }
    this.position += match[0].length;
    return match[0].toUpperCase() === 'NULL' ? 'NULL' : match[0];
  }
}
