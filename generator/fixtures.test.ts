/**
 * "This Markdown gives this HTML", in the manner of remark-gfm's fixtures: one folder
 * per case under generator/fixtures/ with input.md and expected.html, rendered in
 * preview mode (--keep-going, so a failing directive is part of the expected page)
 * against one database written through the bench's own writer. Optional beside them:
 * `warnings.txt` (the page's warnings, one a line; absent: none), `strict` (render with
 * --strict) and `max-page-bytes` (the size limit, a number).
 * UPDATE_FIXTURES=1 rewrites expected.html from the current output (review the diff).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from 'sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIRECTIVES } from './directives/index.ts';
import { renderMarkdown } from './markdown/render.ts';
import { createFixtureDatabase } from './test-fixtures/fixture-database.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const cases = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

let db: Database;
beforeAll(async () => {
  db = await createFixtureDatabase();
});
afterAll(() => db.close());

describe('fixtures', () => {
  it('has at least three cases for every directive and for named queries (a case is named after what it shows: metric-…)', () => {
    const subjects = [...DIRECTIVES.keys(), 'named-query'];
    for (const subject of subjects) expect(cases.filter((name) => name.startsWith(`${subject}-`)).length, subject).toBeGreaterThanOrEqual(3);
  });

  for (const name of cases) {
    it(name, async () => {
      const dir = join(FIXTURES, name);
      const input = readFileSync(join(dir, 'input.md'), 'utf8');
      const strict = existsSync(join(dir, 'strict'));
      const maxPageBytes = existsSync(join(dir, 'max-page-bytes')) ? Number(readFileSync(join(dir, 'max-page-bytes'), 'utf8')) : undefined;
      const page = await renderMarkdown(input, {
        maxPageBytes,
        db,
        file: `${name}/input.md`,
        keepGoing: true,
        strict,
        generatedAt: new Date('2026-11-21T12:00:00Z'),
        measurementsHref: '../measurements.html',
      });
      const expectedFile = join(dir, 'expected.html');
      const warningsFile = join(dir, 'warnings.txt');
      const warnings = page.warnings.map((warning) => `${warning}\n`).join('');
      if (process.env.UPDATE_FIXTURES) {
        writeFileSync(expectedFile, page.html);
        if (warnings !== '' || existsSync(warningsFile)) writeFileSync(warningsFile, warnings);
      }
      expect(page.html).toBe(readFileSync(expectedFile, 'utf8'));
      expect(warnings).toBe(existsSync(warningsFile) ? readFileSync(warningsFile, 'utf8') : '');
    });
  }
});
