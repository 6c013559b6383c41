/**
 * The V8 CPU profile format written by `node --cpu-prof` (a `.cpuprofile` file, the
 * DevTools `Profiler.Profile` object), and a parser that checks the parts the reducer
 * relies on so a truncated or foreign file fails with a readable message.
 */

export interface CallFrame {
  functionName: string;
  scriptId: string;
  url: string;
  /** 0-based; -1 when V8 knows none (native code, categories). */
  lineNumber: number;
  /** 0-based; -1 when V8 knows none. */
  columnNumber: number;
}

export interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  /** Microseconds (V8 monotonic clock). */
  startTime: number;
  endTime: number;
  /** Node id of the leaf of each sample's stack. */
  samples: number[];
  /** Microseconds between consecutive samples; the first is relative to startTime. */
  timeDeltas: number[];
}

const isInt = (v: unknown): v is number => Number.isInteger(v);

/** Parses and checks a `.cpuprofile` text; `where` names the file in errors. */
export function parseCpuProfile(text: string, where: string): CpuProfile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not valid JSON (${(error as Error).message}); was the profile cut off?`);
  }
  const p = value as Record<string, unknown> | null;
  if (typeof p !== 'object' || p === null || !Array.isArray(p.nodes) || !Array.isArray(p.samples) || !Array.isArray(p.timeDeltas)) {
    throw new Error(`${where}: not a V8 CPU profile (expected "nodes", "samples" and "timeDeltas" arrays)`);
  }
  if (typeof p.startTime !== 'number' || typeof p.endTime !== 'number') throw new Error(`${where}: "startTime" and "endTime" must be numbers`);
  if (p.samples.length !== p.timeDeltas.length) {
    throw new Error(`${where}: ${p.samples.length} samples but ${p.timeDeltas.length} time deltas; they must pair up`);
  }
  const ids = new Set<number>();
  p.nodes.forEach((n: unknown, index: number) => {
    const node = n as Record<string, unknown> | null;
    const frame = node?.callFrame as Record<string, unknown> | undefined;
    if (!node || !isInt(node.id) || !frame || typeof frame.functionName !== 'string' || typeof frame.url !== 'string' || !isInt(frame.lineNumber)) {
      throw new Error(`${where}: nodes[${index}] is not a profile node (needs an integer id and a callFrame with functionName, url, lineNumber)`);
    }
    if (node.children !== undefined && (!Array.isArray(node.children) || !node.children.every(isInt))) {
      throw new Error(`${where}: nodes[${index}].children must be an array of node ids`);
    }
    ids.add(node.id);
  });
  for (const node of p.nodes as ProfileNode[]) {
    for (const child of node.children ?? []) {
      if (!ids.has(child)) throw new Error(`${where}: node ${node.id} names child ${child}, which is not in "nodes"`);
    }
  }
  (p.samples as unknown[]).forEach((id, index) => {
    if (!isInt(id) || !ids.has(id)) throw new Error(`${where}: samples[${index}] = ${JSON.stringify(id)} is not a node id`);
  });
  if (!(p.timeDeltas as unknown[]).every((d) => typeof d === 'number' && Number.isFinite(d))) {
    throw new Error(`${where}: "timeDeltas" must all be numbers`);
  }
  return value as CpuProfile;
}
