import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { formatLintResult, lintWorkflowDirectory, workflowFiles } from './workflow-lint.ts';

const workflowsDir = fileURLToPath(new URL('../../.github/workflows/', import.meta.url));
const tempDirs: string[] = [];

function tempWorkflowsDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'workflow-lint-'));
  tempDirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('workflow lint (actionlint)', () => {
  it('finds the test, book and gate workflows', () => {
    const names = workflowFiles(workflowsDir).map((file) => path.basename(file));
    expect(names).toEqual(expect.arrayContaining(['book.yml', 'gate.yml', 'test.yml']));
  });

  it('reports zero errors for every workflow in .github/workflows', async () => {
    const results = await lintWorkflowDirectory(workflowsDir);
    expect(results.map(formatLintResult)).toEqual([]);
  });

  it('reports an unknown key typo in a broken copy of the gate workflow', async () => {
    const dir = tempWorkflowsDir();
    const original = readFileSync(path.join(workflowsDir, 'gate.yml'), 'utf8');
    const broken = original.replace('  gate:\n    name: regression gate\n', '  gate:\n    name: regression gate\n    runs_on: ubuntu-latest\n');
    expect(broken).not.toBe(original);
    writeFileSync(path.join(dir, 'gate.yml'), broken);
    copyFileSync(path.join(workflowsDir, 'test.yml'), path.join(dir, 'test.yml'));

    const results = await lintWorkflowDirectory(dir);
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((r) => r.file === path.join(dir, 'gate.yml'))).toBe(true);
    expect(results.some((r) => r.kind === 'syntax-check' && r.message.includes('unexpected key "runs_on"'))).toBe(true);
  });

  it('reports an invalid expression with its line', async () => {
    const dir = tempWorkflowsDir();
    const original = readFileSync(path.join(workflowsDir, 'test.yml'), 'utf8');
    const broken = original.replace('group: test-${{ github.ref }}', 'group: test-${{ github.ref( }}');
    expect(broken).not.toBe(original);
    writeFileSync(path.join(dir, 'test.yml'), broken);

    const results = await lintWorkflowDirectory(dir);
    const brokenLine = broken.split('\n').findIndex((line) => line.includes('github.ref(')) + 1;
    expect(results).toEqual([expect.objectContaining({ kind: 'expression', line: brokenLine })]);
  });

  it('reports a runs-on label that does not exist', async () => {
    const dir = tempWorkflowsDir();
    const original = readFileSync(path.join(workflowsDir, 'test.yml'), 'utf8');
    writeFileSync(path.join(dir, 'test.yml'), original.replace('runs-on: ubuntu-latest', 'runs-on: ubuntu-latset'));
    const results = await lintWorkflowDirectory(dir);
    expect(results.some((r) => r.message.includes('ubuntu-latset'))).toBe(true);
  });
});
