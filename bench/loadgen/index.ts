// Entry point of the load generators: pick one by name, require it installed, and know how
// many cores it can keep busy (so a run can tell when the tool, not the server, saturated).
import { usableCpus } from '../proc/pinning.ts';
import { autocannonGenerator } from './autocannon.ts';
import { ohaGenerator } from './oha.ts';
import { wrkGenerator } from './wrk.ts';
import type { LoadGenerator, LoadRequest, ToolInfo } from './types.ts';

export type { LatencyUs, LoadGenerator, LoadRequest, LoadResult, LoadSample, ToolInfo } from './types.ts';
export { failedResult } from './result.ts';

const generators: Record<string, LoadGenerator> = {
  autocannon: autocannonGenerator,
  wrk: wrkGenerator,
  oha: ohaGenerator,
};

export const knownLoadGenerators: readonly string[] = Object.keys(generators);

/** The adapter for `name`; throws a readable error listing the known ones. */
export function loadGenerator(name: string): LoadGenerator {
  const generator = Object.hasOwn(generators, name) ? generators[name] : undefined;
  if (!generator) {
    throw new Error(`unknown load generator ${JSON.stringify(name)}: choose one of ${knownLoadGenerators.join(', ')}`);
  }
  return generator;
}

/** The adapter and its detected installation; throws "wrk is not installed: apt-get install wrk" style errors. */
export async function requireTool(name: string, options: { isDefault?: boolean } = {}): Promise<{ generator: LoadGenerator; tool: ToolInfo }> {
  const generator = loadGenerator(name);
  const tool = await generator.detect();
  if (!tool) {
    const others = knownLoadGenerators.filter((n) => n !== name).join('|');
    const hint = options.isDefault ? ` (it is the default load generator; or name another one: --tool ${others})` : '';
    throw new Error(`${generator.name} is not installed: ${generator.installHint}${hint}`);
  }
  return { generator, tool };
}

/**
 * How many cores the tool can keep busy: autocannon is one Node.js event loop (1); wrk runs
 * `threads` threads; oha has no thread-count flag and runs a tokio runtime with one worker
 * per core, so it can use every core of the machine.
 */
export function saturationCores(generator: LoadGenerator, request: LoadRequest): number {
  const usable = usableCpus(request.cpus);
  switch (generator.name) {
    case 'autocannon':
      return 1;
    case 'wrk':
      return Math.min(request.threads ?? 1, usable);
    case 'oha':
      return usable;
  }
}
