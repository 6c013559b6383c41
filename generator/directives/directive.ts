/**
 * What every directive module provides, and the checks common to all of them
 * (known keys, required keys, bare keys).
 */
import { DirectiveProblem } from './errors.ts';
import type { DirectiveAttribute, ParsedDirective } from './parse.ts';
import type { QueryRunner } from './query.ts';

export interface DirectiveContext {
  /** Author queries run read-only, within the row and time limits. */
  queries: QueryRunner;
  /** A NULL figure for a known chapter is an error instead of "no measurement yet". */
  strict: boolean;
  repoUrl?: string;
  /** Collected @meta values of the page being rendered (written by @meta). */
  meta: Record<string, string>;
  /** Relative link from the page to the measurements appendix; absent when none is written. */
  measurementsHref?: string;
  /** Query results reused within one page (e.g. the `versions` view for many @metric). */
  cache: Map<string, unknown>;
}

export interface DirectiveOutput {
  html: string;
  /** Plain text of the output, for heading ids and titles. */
  text?: string;
  usesCharts?: boolean;
  usesMermaid?: boolean;
  /** Not fatal, for the author (reported at the directive's file:line:col). */
  warnings?: string[];
  /** A checked claim's note (@assert): its mark belongs at the end of the claim above it, the note in the page's list of checks. */
  claimNote?: string;
}

export interface KeySpec {
  required?: boolean;
  /** The key may be written without a value (`@footer:generated_at`). */
  bare?: boolean;
}

export interface DirectiveDefinition {
  name: string;
  /** `inline` output sits in running text; `block` output must stand on its own line(s); `none` renders nothing in the text's flow (@meta) or a mark joined to the text above (@assert). */
  placement: 'inline' | 'block' | 'none';
  keys: Record<string, KeySpec>;
  render(attributes: Attributes, context: DirectiveContext): DirectiveOutput;
}

/** Checked attributes: every key is known, required ones present, values present unless bare is allowed. */
export class Attributes {
  constructor(private readonly entries: Map<string, DirectiveAttribute>) {}

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The value of a key, or undefined when absent (or bare). */
  get(key: string): string | undefined {
    return this.entries.get(key)?.value ?? undefined;
  }

  raw(key: string): string | undefined {
    return this.entries.get(key)?.raw ?? undefined;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** The same attributes with one value replaced (a named query's SQL for its name). */
  with(key: string, value: string): Attributes {
    return new Attributes(new Map(this.entries).set(key, { value, raw: value }));
  }
}

/**
 * An unknown key is an error when `onUnknownKey` is absent (--strict); otherwise the
 * directive's unknown keys are reported through it in one warning and ignored, so a book written for a tool with more
 * keys still builds.
 */
export function checkAttributes(definition: DirectiveDefinition, directive: ParsedDirective, onUnknownKey?: (reason: string) => void): Attributes {
  const allowed = `(allowed: ${Object.keys(definition.keys).join(', ') || 'none'})`;
  const known = new Map<string, DirectiveAttribute>();
  const unknown: string[] = [];
  for (const [key, attribute] of directive.attributes) {
    const spec = definition.keys[key];
    if (!spec) {
      if (!onUnknownKey) throw new DirectiveProblem(`unknown key "${key}" ${allowed}`);
      unknown.push(key);
      continue;
    }
    known.set(key, attribute);
    if (attribute.value === null && !spec.bare) throw new DirectiveProblem(`key "${key}" needs a value: ${key}="…"`);
  }
  for (const [key, spec] of Object.entries(definition.keys)) {
    if (spec.required && directive.attributes.get(key)?.value == null) {
      throw new DirectiveProblem(`missing required key "${key}"`);
    }
  }
  if (unknown.length > 0 && onUnknownKey) onUnknownKey(`${unknownKeys(unknown)} ${allowed}, ignored`);
  return new Attributes(known);
}

/** Shown unknown keys of one directive: one warning however many there are. */
const UNKNOWN_KEYS_SHOWN = 5;

function unknownKeys(keys: string[]): string {
  if (keys.length === 1) return `unknown key "${keys[0]}"`;
  const shown = keys.slice(0, UNKNOWN_KEYS_SHOWN).map((key) => `"${key}"`).join(', ');
  const more = keys.length > UNKNOWN_KEYS_SHOWN ? ` and ${(keys.length - UNKNOWN_KEYS_SHOWN).toLocaleString('en-US')} more` : '';
  return `unknown keys ${shown}${more}`;
}

/** Parses a JSON attribute that must hold an object; the JSON parser's message is kept. */
export function parseJsonObject(key: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DirectiveProblem(`invalid JSON in "${key}": ${(error as Error).message}`);
  }
  if (!isPlainObject(value)) throw new DirectiveProblem(`"${key}" must be a JSON object`);
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
