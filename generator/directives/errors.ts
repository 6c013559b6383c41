/**
 * Errors of the directive pipeline.
 *
 * Directive modules know the cause of a failure but not where the directive sits
 * in the book, so they throw `DirectiveProblem` (a reason only); the Markdown
 * transform, which knows the AST position, turns it into a `DirectiveError`.
 */

/** A directive failed; `reason` is shown to the author verbatim. */
export class DirectiveProblem extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'DirectiveProblem';
  }
}

/** A directive that cannot be rendered, located in the book's source. */
export class DirectiveError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly directive: string;
  readonly reason: string;

  constructor(file: string, line: number, column: number, directive: string, reason: string) {
    super(`${file}:${line}:${column} @${directive}: ${reason}`);
    this.name = 'DirectiveError';
    this.file = file;
    this.line = line;
    this.column = column;
    this.directive = directive;
    this.reason = reason;
  }
}

/** The reason to report for anything thrown while rendering a directive. */
export function reasonOf(error: unknown): string {
  if (error instanceof DirectiveProblem) return error.reason;
  if (error instanceof Error) return error.message;
  return String(error);
}
