/**
 * vitest's file order: the files that run for minutes start first, then vitest's own order.
 *
 * vitest starts the files that took longest in its last run first, from a cache under
 * node_modules/.vite: a clean clone (CI) has none and orders by file size, and a checkout whose
 * node_modules is shared with other worktrees reads durations another tree wrote, or lost. A file
 * of three minutes started last then runs alone at the end, one core idle. The list: longest-files.ts.
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { startRank } from './longest-files.ts';

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    const rank = (spec: TestSpecification) => startRank(relative(spec.project.config.root, spec.moduleId));
    // Array sort is stable: the other files keep vitest's order.
    return ordered.sort((a, b) => rank(a) - rank(b));
  }
}
