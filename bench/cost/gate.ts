/**
 * The gate's exact signal (side effects): base and head counted under callgrind at the
 * same time — instruction counts do not depend on the machine's load, so the two sides
 * can share the cores — before the throughput runs, which must not share them.
 */
import { execFileSync } from 'node:child_process';
import type { Cleanup } from '../subject/cleanup.ts';
import type { PreparedTree } from '../subject/subject.ts';
import { DEFAULT_NODE_FLAGS } from './command.ts';
import { measureCost, type CostMeasurement } from './measure.ts';
import { chapterSubject } from './subject.ts';

/** Instructions per request of both sides, or why they were not counted. */
export type GateCost = { base: CostMeasurement; head: CostMeasurement } | { unavailable: string };

export interface GateCostSettings {
  paths: readonly string[];
  /** 0: not measured. */
  requests: number;
  windows: number;
  warmupRequests: number;
}

/** Why callgrind cannot be used here, or null when valgrind and callgrind_control answer. */
export function callgrindUnavailable(): string | null {
  for (const tool of ['valgrind', 'callgrind_control']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed (Debian/Ubuntu: apt-get install valgrind), so the instruction count was skipped`;
    }
  }
  return null;
}

export async function measureGateCost(
  trees: Record<'base' | 'head', Pick<PreparedTree, 'commit' | 'path' | 'contract'>>,
  settings: GateCostSettings,
  cleanup: Cleanup,
  log: (line: string) => void,
): Promise<GateCost> {
  if (settings.requests === 0) return { unavailable: '--cost-requests 0: the instruction count was not asked for' };
  const unavailable = callgrindUnavailable();
  if (unavailable !== null) return { unavailable };
  const measure = (side: 'base' | 'head') =>
    measureCost(
      chapterSubject(trees[side], cleanup),
      {
        paths: settings.paths,
        requests: settings.requests,
        warmupRequests: settings.warmupRequests,
        processes: 1,
        windowsPerProcess: settings.windows,
        nodeFlags: DEFAULT_NODE_FLAGS,
        readyTimeoutMs: 300_000,
      },
      (line) => log(`gate: ${side}: ${line}`),
    );
  const [base, head] = await Promise.all([measure('base'), measure('head')]);
  return { base, head };
}
