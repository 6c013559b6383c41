/**
 * The READMEs name everything a newcomer can use: every directive of the registry, every
 * scenario, every view of the schema and every command. One that is added without its line
 * in the README fails here, with the file to update.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VERBS } from '../bench/options.ts';
import { SCENARIO_NAMES } from '../bench/scenarios/index.ts';
import { DIRECTIVES } from '../generator/directives/index.ts';

const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

/** The names `text` does not mention in any of the spellings `mention(name)` gives. */
function missing(names: readonly string[], text: string, mention: (name: string) => string | string[]): string[] {
  return names.filter((name) => ![mention(name)].flat().some((spelling) => text.includes(spelling)));
}

/** The failure message: which README, what to add, where the names come from. */
function update(readme: string, what: string, names: string[], source: string): string {
  return `${readme} does not mention the ${what} ${names.join(', ')} (from ${source}): add a line for each to ${readme}`;
}

describe('the READMEs', () => {
  it('generator/directives/README.md names every directive of the registry', () => {
    const readme = 'generator/directives/README.md';
    const names = missing([...DIRECTIVES.keys()], read(readme), (name) => `@${name}`);
    expect(names, update(readme, 'directive(s)', names.map((n) => `@${n}`), 'generator/directives/index.ts')).toEqual([]);
  });

  it('bench/README.md names every scenario of the registry', () => {
    const readme = 'bench/README.md';
    const names = missing(SCENARIO_NAMES, read(readme), (name) => `\`${name}\``);
    expect(names, update(readme, 'scenario(s)', names, 'bench/scenarios/index.ts')).toEqual([]);
  });

  it('docs/spec/directives.md names every view of the schema', () => {
    const readme = 'docs/spec/directives.md';
    const views = [...read('db/schema.ts').matchAll(/CREATE VIEW (\w+)/g)].map((m) => m[1]);
    expect(views.length).toBeGreaterThan(0);
    const names = missing(views, read(readme), (name) => [`\`${name}\``, `\`${name}(`]);
    expect(names, update(readme, 'view(s)', names, 'db/schema.ts')).toEqual([]);
  });

  it('README.md names every npm script, bench/README.md every verb of npm run bench', () => {
    const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
    const commands = missing(scripts, read('README.md'), (name) => (name === 'test' ? 'npm test' : `npm run ${name}`));
    expect(commands, update('README.md', 'command(s)', commands, 'package.json "scripts"')).toEqual([]);
    const verbs = missing(VERBS, read('bench/README.md'), (verb) => `npm run bench -- ${verb}`);
    expect(verbs, update('bench/README.md', 'verb(s)', verbs, 'bench/options.ts VERBS')).toEqual([]);
  });
});
