/**
 * What the book cites, read from its directives (pure but for reading the files): every
 * subject × scenario a page's `@metric`, `@chart`, `@table` or `@assert` may query. An
 * edition measures exactly that, so a new page that queries a new scenario or subject is
 * measured by the next edition without anyone editing a list.
 *
 * The reading is deliberately generous (a directive that names a chapter and no experiment
 * needs all its experiments; one that names hot, mix or close and no chapter needs every
 * chapter on them): measuring a figure no page shows costs seconds, a page without its
 * figure costs the book.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Chapter } from '../../db/chapters.ts';
import { subjectLabel } from '../scenarios/chapter-capacities.ts';
import { SCENARIO_NAMES } from '../scenarios/index.ts';

/** One subject on one scenario. `label` is the bench's: tag, or tag+experiment. */
export interface Need {
  scenario: string;
  tag: string;
  experiment: string;
  label: string;
}

/** Scenarios a directive that names no chapter still needs for every chapter (the chapter tables and charts). */
const EVERY_CHAPTER_SCENARIOS = new Set(['hot', 'mix', 'close', 'capacity-mix']);
/** Scenarios a page may cite that an edition does not measure: each is a command of its own (`npm run bench -- soak`), its session named on the page. */
const OWN_COMMAND_SCENARIOS = new Set(['soak']);
/** Views that belong to one scenario: a directive reading them needs it even when it names no scenario. */
const VIEW_SCENARIOS: Record<string, string> = {
  adaptive_limiter_series: 'adaptive-ramp',
  adaptive_limiter_seconds: 'adaptive-ramp',
  scaling_signals_series: 'scaling-ramp',
  scaling_signals_seconds: 'scaling-ramp',
  scaling_lead_time: 'scaling-ramp',
  overload_summary: 'overload',
  objective_capacity: 'capacity-mix',
  capacity_probe_series: 'capacity-mix',
};
/**
 * A comparison with `request_set` (objective_capacity, capacity_probe_series): 'hot', 'mix' or
 * 'wide' there name a capacity search's requests, not a scenario. Read as one, chapter 18's
 * capacity table (`request_set = 'mix' AND scenario = 'capacity-mix'`) needed its five
 * experiments of chapters 17 and 18 on the mix, which no page shows: 4 subjects beyond hot's, so
 * hot and mix were two parts instead of one (bench/README.md, "Editions").
 */
const REQUEST_SET = /\brequest_set\s*(?:=\s*'[^']*'|IN\s*\([^)]*\))/gi;
const DIRECTIVE = /<!--\s*@(metric|chart|table|assert):([\s\S]*?)-->/g;

/** The directives' text of every Markdown file under `bookDir`, with where each came from. */
export function readDirectives(bookDir: string): { file: string; text: string; name: string }[] {
  const out: { file: string; text: string; name: string }[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry.endsWith('.md')) {
        const text = readFileSync(path, 'utf8');
        const named = namedQueries(text);
        const source = text.replace(/```[\s\S]*?```/g, ''); // code shows directives, it does not run them
        for (const match of source.matchAll(DIRECTIVE)) out.push({ file: path, name: match[1], text: withNamedQuery(match[2], named) });
      }
    }
  };
  walk(bookDir);
  return out;
}

/** A page's named queries (```sql name(params) blocks), by name: header and body, whose literals are needs too. */
export function namedQueries(page: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of page.matchAll(/^```sql[ \t]+([A-Za-z_][\w]*)([^\n]*)\n([\s\S]*?)^```/gm)) out.set(m[1], `${m[2]}\n${m[3]}`);
  return out;
}

/** A directive's text with the named query it uses appended, so its scenarios and default arguments count. */
export function withNamedQuery(text: string, named: Map<string, string>): string {
  const use = /\bquery\s*=\s*["']\s*([A-Za-z_]\w*)\s*(?:\(|["'])/.exec(text);
  const body = use ? named.get(use[1]) : undefined;
  return body === undefined ? text : `${text}\n${body}`;
}

function quoted(text: string): Set<string> {
  return new Set([...text.matchAll(/'([^'\\]*)'|"([^"\\]*)"/g)].map((m) => m[1] ?? m[2]));
}

/** The subject × scenario pairs one directive may query. */
export function directiveNeeds(directive: { name: string; text: string }, chapters: Chapter[]): Need[] {
  directive = { ...directive, text: directive.text.replace(REQUEST_SET, '') };
  const words = quoted(directive.text);
  // Also names inside a double-quoted attribute: scenario = 'hot' sits inside query="…".
  for (const m of directive.text.matchAll(/'([a-z0-9+-]*)'/g)) words.add(m[1]);
  const scenarios = SCENARIO_NAMES.filter((s) => words.has(s) && !OWN_COMMAND_SCENARIOS.has(s));
  if (scenarios.length === 0) {
    for (const [view, scenario] of Object.entries(VIEW_SCENARIOS)) if (new RegExp(`\\b${view}\\b`).test(directive.text) && !scenarios.includes(scenario as never)) scenarios.push(scenario as never);
  }
  const named = chapters.filter((c) => words.has(c.tag));
  const experimentsNamed = (c: Chapter) => (c.experiments ?? []).filter((e) => words.has(e.name)).map((e) => e.name);
  // A @metric with a tag and no query reads `versions`: the chapter's hot headline, the chapter
  // as tagged (experiment '') — none of its experiments (edition 34 measured five for it).
  const headline = directive.name === 'metric' && !/\bquery\s*=/.test(directive.text) && scenarios.length === 0;
  if (headline) scenarios.push('hot');
  const defaultOnly = headline || /experiment\s*=\s*''/.test(directive.text);
  const needs: Need[] = [];
  const add = (scenario: string, chapter: Chapter, experiment: string) =>
    needs.push({ scenario, tag: chapter.tag, experiment, label: subjectLabel(chapter.tag, experiment) });
  for (const scenario of scenarios) {
    if (named.length === 0) {
      if (EVERY_CHAPTER_SCENARIOS.has(scenario)) for (const c of chapters) add(scenario, c, '');
      continue;
    }
    // Experiments named anywhere in the directive belong to their own chapter, named or not.
    for (const c of chapters) for (const e of experimentsNamed(c)) add(scenario, c, e);
    for (const c of named) {
      add(scenario, c, '');
      if (experimentsNamed(c).length === 0 && !defaultOnly) for (const e of c.experiments ?? []) add(scenario, c, e.name);
    }
    for (const other of comparedWith(directive.text, named, chapters)) add(scenario, other, '');
  }
  return needs;
}

/**
 * The chapters a comparison view puts beside the named ones in the same session:
 * `chapter_vs_parent` the chapter before each, `chapter_vs_first` chapter 1 (db/views/book.ts).
 * Without them the view has no row (edition 34 measured chapter 2 on close, not chapter 1).
 */
function comparedWith(text: string, named: Chapter[], chapters: Chapter[]): Chapter[] {
  const others: Chapter[] = [];
  if (/\bchapter_vs_parent\b/.test(text)) {
    for (const c of named) {
      const parent = chapters.find((p) => p.number === c.number - 1);
      if (parent) others.push(parent);
    }
  }
  if (/\bchapter_vs_first\b/.test(text) && named.length > 0) {
    const first = chapters.reduce<Chapter | undefined>((low, c) => (low === undefined || c.number < low.number ? c : low), undefined);
    if (first) others.push(first);
  }
  return others;
}

/** Every subject × scenario the book's directives may query, deduplicated, in chapter order. */
export function bookNeeds(bookDir: string, chapters: Chapter[]): Need[] {
  const seen = new Map<string, Need>();
  for (const directive of readDirectives(bookDir)) {
    for (const need of directiveNeeds(directive, chapters)) seen.set(`${need.scenario}|${need.label}`, need);
  }
  const order = new Map(chapters.flatMap((c) => [c.tag, ...(c.experiments ?? []).map((e) => subjectLabel(c.tag, e.name))]).map((label, i) => [label, i]));
  return [...seen.values()].sort((a, b) => SCENARIO_NAMES.indexOf(a.scenario as never) - SCENARIO_NAMES.indexOf(b.scenario as never) || order.get(a.label)! - order.get(b.label)!);
}
