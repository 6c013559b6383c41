/** hot, mix, close: a steady load at --connections, one run per subject per round. */
import { createHash } from 'node:crypto';
import type { BenchOptions } from '../options.ts';
import { summarize } from '../summarize.ts';
import type { Scenario } from './index.ts';
import type { ScenarioModule } from './module.ts';

/** Part of the settings key: a short hash of the request paths. */
export function pathsKey(paths: string[]): string {
  return `paths${createHash('sha256').update(JSON.stringify(paths)).digest('hex').slice(0, 8)}`;
}

export function steadyScenario(sc: Scenario): ScenarioModule {
  const load = (options: BenchOptions, durationSeconds: number) => ({ paths: sc.paths, keepAlive: sc.keepAlive, connections: options.connections, durationSeconds });
  return {
    name: sc.name,
    description: sc.description,
    comparesToReference: true,
    settingsKeyParts: (options) => [`c${options.connections}`, sc.keepAlive ? 'ka' : 'close', pathsKey(sc.paths)],
    settings: () => ({ description: sc.description, keep_alive: sc.keepAlive, paths: sc.paths }),
    warmup: (options) => (options.warmupSeconds > 0 ? load(options, options.warmupSeconds) : null),
    runRound: async (context) => [(await context.measure(load(context.options, context.options.durationSeconds))).outcome],
    summarize,
    failures: (runs) => runs.filter((r) => r.status === 'failed').length,
  };
}
