/** The scenario modules the bench knows, by name (descriptors in ./index.ts). */
import { catalogueScale, scenario, SCENARIO_NAMES, type Scenario, type ScenarioName } from './index.ts';
import type { ScenarioModule } from './module.ts';
import { ingestScenario } from './ingest.ts';
import { catalogueScenario, steadyScenario } from './steady.ts';
import { sweepScenario } from './sweep.ts';
import { openLoopScenario } from './open-loop.ts';
import { fairnessScenario } from './fairness.ts';
import { capacityScenario } from './capacity.ts';
import { soakScenario } from './soak.ts';
import { DEFAULT_INGEST } from './ingest.ts';

const MODULES: Record<ScenarioName, (descriptor: Scenario) => ScenarioModule> = {
  hot: steadyScenario,
  mix: steadyScenario,
  close: steadyScenario,
  'hot-gzip': steadyScenario,
  'mix-gzip': steadyScenario,
  sweep: sweepScenario,
  ingest: (sc) => ingestScenario(sc),
  'hot-x4': (sc) => catalogueScenario(sc, catalogueScale('hot-x4')),
  'hot-x16': (sc) => catalogueScenario(sc, catalogueScale('hot-x16')),
  overload: (sc) => openLoopScenario({ ...sc, name: 'overload' }),
  'adaptive-ramp': (sc) => openLoopScenario({ ...sc, name: 'adaptive-ramp' }),
  'scaling-ramp': (sc) => openLoopScenario({ ...sc, name: 'scaling-ramp' }),
  fairness: (sc) => fairnessScenario(sc),
  'overload-mix': (sc) => openLoopScenario({ ...sc, name: 'overload-mix' }),
  'ingest-mix-overload': (sc) => openLoopScenario({ ...sc, name: 'ingest-mix-overload' }, undefined, DEFAULT_INGEST),
  'capacity-hot': (sc) => capacityScenario(sc, 'hot'),
  'capacity-mix': (sc) => capacityScenario(sc, 'mix'),
  'capacity-wide': (sc) => capacityScenario(sc, 'wide'),
  soak: (sc) => soakScenario(sc),
};

export function scenarioModule(name: ScenarioName): ScenarioModule {
  return MODULES[name](scenario(name));
}

export function scenarioModules(): Map<string, ScenarioModule> {
  return new Map(SCENARIO_NAMES.map((name) => [name, scenarioModule(name)]));
}
