/**
 * @assert — a sentence of the book checked against the data; renders a quiet mark (✓)
 * while the data supports it, with the check and the figure it evaluated on hover and
 * in the printed book (a block of marks joins the end of the paragraph above it):
 *   <!-- @assert:query="SELECT (SELECT baseline_rps FROM versions WHERE tag = 'v3-pool')
 *          / (SELECT baseline_rps FROM versions WHERE tag = 'v2-cache')"
 *          expect=">= 2" message="chapter 3 is at least twice as fast as chapter 2" -->
 * The query gives one value; `expect` is a comparison with a number (`>= 2`, `< 0.5`,
 * `= 3`, `!= 0`) or `true` (the default: SQL's truth, a non-zero number). A claim the
 * data no longer supports fails the build at the comment (with --keep-going: a red box).
 * A NULL value (no measurement yet) is an error in --strict, a visible note otherwise.
 */
import type { SqlValue } from 'sql.js';
import type { DirectiveDefinition } from './directive.ts';
import { DirectiveProblem } from './errors.ts';
import { escapeHtml } from './escape.ts';

export type Comparison = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Expectation = { kind: 'true' } | { kind: 'compare'; op: Comparison; bound: number };

const COMPARISON = /^\s*(==|=|!=|<>|<=|>=|<|>)\s*(-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*$/i;

/** Reads `expect`; a DirectiveProblem names the accepted forms. */
export function parseExpectation(text: string | undefined): Expectation {
  if (text === undefined || text.trim().toLowerCase() === 'true') return { kind: 'true' };
  const match = COMPARISON.exec(text);
  if (!match) {
    throw new DirectiveProblem(`expect="${text}" is not an expectation (write a comparison with a number: ">= 2", "< 0.5", "= 3", "!= 0", or "true")`);
  }
  const op = ({ '==': '=', '<>': '!=' } as Record<string, Comparison>)[match[1]] ?? (match[1] as Comparison);
  return { kind: 'compare', op, bound: Number(match[2]) };
}

export function holds(value: number, expectation: Expectation): boolean {
  if (expectation.kind === 'true') return value !== 0;
  const { op, bound } = expectation;
  switch (op) {
    case '=':
      return value === bound;
    case '!=':
      return value !== bound;
    case '<':
      return value < bound;
    case '<=':
      return value <= bound;
    case '>':
      return value > bound;
    case '>=':
      return value >= bound;
  }
}

export function describeExpectation(expectation: Expectation): string {
  return expectation.kind === 'true' ? 'a true (non-zero) value' : `${expectation.op} ${expectation.bound}`;
}

/** The single value of a result, or a DirectiveProblem saying what came back instead. */
function singleValue(rows: SqlValue[][], columns: string[]): SqlValue {
  if (rows.length !== 1 || columns.length !== 1) {
    throw new DirectiveProblem(`the query must give one value (one row, one column), but gave ${rows.length} row(s) × ${columns.length} column(s)`);
  }
  return rows[0][0];
}

/** Up to 6 significant digits: enough to see why a bound was missed. */
const shown = (value: number) => String(Number(value.toPrecision(6)));

export const assertDirective: DirectiveDefinition = {
  name: 'assert',
  placement: 'none',
  keys: { query: { required: true }, expect: {}, message: { required: true } },
  render(attributes, context) {
    const message = attributes.get('message') as string;
    const expectation = parseExpectation(attributes.get('expect'));
    const result = context.queries.run(attributes.get('query') as string);
    const value = singleValue(result.rows, result.columns);
    if (value === null) {
      if (context.strict) throw new DirectiveProblem(`cannot check "${message}": the query gave NULL (no measurement yet? run npm run bench)`);
      return { html: `<span class="claim-unchecked">Not yet checked against measurements: ${escapeHtml(message)}</span>` };
    }
    if (typeof value !== 'number') {
      throw new DirectiveProblem(`the query must give a number, but gave ${typeof value === 'string' ? JSON.stringify(value) : 'binary data'}`);
    }
    if (!holds(value, expectation)) {
      throw new DirectiveProblem(`the data no longer supports "${message}": the query gives ${shown(value)}, the claim needs ${describeExpectation(expectation)}`);
    }
    const note = claimNote(message, value, expectation);
    return { html: claimMark(note), text: '', claimNote: note };
  },
};

/** What a check said: the claim, the value the data gave and the bound it was held to. */
export function claimNote(message: string, value: number, expectation: Expectation): string {
  const needs = expectation.kind === 'true' ? 'a true (non-zero) value' : `${expectation.op} ${shown(expectation.bound)}`;
  return `Checked against the data: ${message} — the query gives ${shown(value)}, the claim needs ${needs}.`;
}

/** The ✓ beside a checked claim, its note shown on hover or focus (printed at the page's end: render.ts). */
export function claimMark(note: string): string {
  return `<span class="claim-check" tabindex="0">✓<span class="claim-detail" role="note">${escapeHtml(note)}</span></span>`;
}
