/**
 * Errors of the directive pipeline.
 *
 * Directive modules know the cause of a failure but not where the directive sits
 * in the book, so they throw `DirectiveProblem` (a reason only); the Markdown
 * transform, which knows the AST position, turns it into a `DirectiveError`.
 */
import { escapeHtml } from './escape.ts';

/** A directive failed; `reason` is shown to the author verbatim. */
export class DirectiveProblem extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'DirectiveProblem';
  }
}

/**
 * A directive that cannot be rendered, located in the book's source. A problem of the
 * page itself (too large, nested too deeply, a comment never closed) has no directive
 * name (`directive` is ''): its message is `file:line:col: reason`.
 */
export class DirectiveError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly directive: string;
  readonly reason: string;

  constructor(file: string, line: number, column: number, directive: string, reason: string) {
    super(`${file}:${line}:${column}${directive === '' ? '' : ` @${directive}`}: ${reason}`);
    this.name = 'DirectiveError';
    this.file = file;
    this.line = line;
    this.column = column;
    this.directive = directive;
    this.reason = reason;
  }
}

/** How an error is drawn in a page built with --keep-going: a red box, inline or as a block. */
export function errorBox(error: DirectiveError, inline = false): string {
  const tag = inline ? 'span' : 'div';
  return `<${tag} class="directive-error" role="alert">${escapeHtml(error.message)}</${tag}>`;
}

/** The reason to report for anything thrown while rendering a directive. */
export function reasonOf(error: unknown): string {
  if (error instanceof DirectiveProblem) return error.reason;
  if (error instanceof Error) return error.message;
  return String(error);
}
