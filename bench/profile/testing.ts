/** Hand-built CPU profiles for the tests: a call tree written as nested arrays. */
import type { CallFrame, CpuProfile, ProfileNode } from './cpuprofile.ts';

/** A frame of a function in `/repo/src/<file>` (url '' for categories and natives). */
export function frame(functionName: string, url = '', lineNumber = -1): CallFrame {
  return { functionName, scriptId: '0', url, lineNumber, columnNumber: lineNumber < 0 ? -1 : 0 };
}

/** A tree: [frame, ...children]. */
export type Tree = [CallFrame, ...Tree[]];

/**
 * A profile of `tree` (its root must be '(root)') and samples given as
 * [path of child indexes from the root, microseconds until the next sample].
 */
export function buildProfile(tree: Tree, samples: Array<[number[], number]>, startTime = 1_000): CpuProfile {
  const nodes: ProfileNode[] = [];
  const add = ([callFrame, ...children]: Tree): ProfileNode => {
    const node: ProfileNode = { id: nodes.length + 1, callFrame, hitCount: 0, children: [] };
    nodes.push(node);
    node.children = children.map((child) => add(child).id);
    return node;
  };
  const root = add(tree);
  const leafOf = (path: number[]): number => path.reduce((node, index) => nodes[node.children![index] - 1], root).id;
  // The first sample comes 10 µs after start; each lasts until the next (the last until endTime).
  const timeDeltas = samples.map((_, i) => (i === 0 ? 10 : samples[i - 1][1]));
  const endTime = startTime + 10 + samples.reduce((sum, [, us]) => sum + us, 0);
  return { nodes, startTime, endTime, samples: samples.map(([path]) => leafOf(path)), timeDeltas };
}
