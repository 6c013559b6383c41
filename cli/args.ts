/**
 * The command line, the same way for every CLI of the project (bench, gate, cost, loadgen,
 * overload, profile, chapters, book): one error type for a user's mistake (printed without
 * a stack trace, exit 2), node:util's parseArgs with plain messages, one numeric flag parser.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in the command line: the CLI prints its message and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** node:util's parseArgs; its errors become UsageErrors that say plainly what was wrong. */
export function parseFlags<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError(describeParseError(error as Error & { code?: string }));
  }
}

/** node:util's messages end with hints about positionals and '--' that do not apply here. */
function describeParseError(error: Error & { code?: string }): string {
  const quoted = /'([^']*)'/.exec(error.message)?.[1];
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted ?? error.message}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${quoted ?? ''}"`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const option = quoted?.split(' ')[0] ?? '';
      if (/argument missing/.test(error.message)) return `option ${option} needs a value`;
      if (/ambiguous/.test(error.message)) return `option ${option} needs a value (for one starting with a dash, write ${option}=…)`;
      if (/does not take an argument/.test(error.message)) return `option ${option} takes no value`;
      return error.message.split('\n')[0];
    }
    default:
      return error.message.split('. To specify')[0];
  }
}

/** What a numeric flag accepts; bounds are inclusive (min, max) or exclusive (above, below). */
export interface NumberRule {
  integer?: boolean;
  min?: number;
  max?: number;
  above?: number;
  below?: number;
  /** Said after the expectation, in parentheses, e.g. "0 = none". */
  hint?: string;
}

/** Seconds of unrecorded load (a warm-up, a settle): any number ≥ 0, fractions too, 0 for none. */
export const SECONDS_OR_NONE: NumberRule = { min: 0, hint: 'seconds, 0 = none' };

/** Plain decimal text only: no hex, exponent, blanks or "Infinity". */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

/**
 * The value of a numeric flag (`flag` as the user types it, e.g. "--runs"). Without `raw`
 * (flag not given) the rule's fallback. Every refusal reads
 * `--runs must be an integer ≥ 1, got "x"`.
 */
export function numberFlag(flag: string, raw: string | undefined, rule: NumberRule & { fallback: number }): number;
export function numberFlag(flag: string, raw: string, rule?: NumberRule): number;
export function numberFlag(flag: string, raw: string | undefined, rule: NumberRule & { fallback?: number } = {}): number {
  if (raw === undefined) {
    if (rule.fallback === undefined) throw new UsageError(`${flag} needs a value`);
    return rule.fallback;
  }
  const value = Number(raw);
  const ok =
    DECIMAL.test(raw) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || value >= rule.min) &&
    (rule.max === undefined || value <= rule.max) &&
    (rule.above === undefined || value > rule.above) &&
    (rule.below === undefined || value < rule.below);
  if (!ok) throw new UsageError(`${flag} must be ${describeRule(rule)}, got "${raw}"`);
  return value;
}

/** "an integer ≥ 1", "a number > 0 and < 1 (e.g. 0.10 for 10%)". */
export function describeRule(rule: NumberRule): string {
  const bounds = [
    rule.min !== undefined ? `≥ ${rule.min}` : '',
    rule.above !== undefined ? `> ${rule.above}` : '',
    rule.max !== undefined ? `≤ ${rule.max}` : '',
    rule.below !== undefined ? `< ${rule.below}` : '',
  ].filter(Boolean);
  const kind = rule.integer ? 'an integer' : 'a number';
  return `${kind}${bounds.length > 0 ? ` ${bounds.join(' and ')}` : ''}${rule.hint ? ` (${rule.hint})` : ''}`;
}
