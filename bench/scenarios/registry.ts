/** The scenario modules the bench knows, by name (descriptors in ./index.ts). */
import { scenario, SCENARIO_NAMES, type ScenarioName } from './index.ts';
import type { ScenarioModule } from './module.ts';
import { steadyScenario } from './steady.ts';
import { sweepScenario } from './sweep.ts';

export function scenarioModule(name: ScenarioName): ScenarioModule {
  return name === 'sweep' ? sweepScenario(scenario(name)) : steadyScenario(scenario(name));
}

export function scenarioModules(): Map<string, ScenarioModule> {
  return new Map(SCENARIO_NAMES.map((name) => [name, scenarioModule(name)]));
}
