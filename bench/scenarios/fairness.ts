/**
 * fairness: is a polite client still answered while a greedy one overloads the server?
 * Each round, per subject: the capacity (--capacity, or a recorded closed-loop run of the
 * greedy paths, as in `overload`), then four steps of --duration seconds:
 *
 *   polite on new connections  × greedy at 2× and 5× capacity,
 *   polite on one kept-alive connection × greedy at 2× and 5× capacity.
 *
 * The greedy client is the open-loop generator (bench/overload/run.ts) over the wide windows;
 * the polite one (bench/loadgen/polite-client.ts, a child process) sends the hot search every
 * 250 ms on its own clock. Over each step's settled seconds: the polite client's share answered
 * 200 within 50 ms of the intended send, and the server's goodput to the greedy client
 * (fairness_steps; view fairness_summary). The target of issue 21: ≥ 90% at both levels, with
 * the goodput within 10% of the unfair limit's (the chapter's `unfair-limit` experiment).
 */
import { runPoliteClient, politeFigures, type PoliteConnection } from '../loadgen/polite-client.ts';
import { DEFAULT_OPEN_LOOP_CONNECTIONS } from '../loadgen/open-loop.ts';
import { overloadPlan } from '../overload/plan.ts';
import { runOverload } from '../overload/run.ts';
import { whilePinned } from '../proc/pinning.ts';
import type { FairnessStepRow } from '../../db/schema.ts';
import { HOT_PATH, WIDE_WINDOWS, type Scenario } from './index.ts';
import type { ScenarioModule, ScenarioOptions } from './module.ts';
import { capacityLoad, roundCapacity, summarizeParts, type Capacity, type PartOutcome } from './open-loop.ts';
import { pathsKey } from './steady.ts';

export interface FairnessSettings {
  multipliers: number[];
  politeConnections: PoliteConnection[];
  politeIntervalMs: number;
  politeWithinMs: number;
  greedyConnections: number;
  timeoutSeconds: number;
}

export const FAIRNESS_DEFAULTS: FairnessSettings = {
  multipliers: [2, 5],
  politeConnections: ['new', 'kept-alive'],
  politeIntervalMs: 250,
  politeWithinMs: 50,
  greedyConnections: DEFAULT_OPEN_LOOP_CONNECTIONS,
  timeoutSeconds: 10,
};

interface StepPlan { multiplier: number; polite: PoliteConnection }

export function fairnessSteps(settings: FairnessSettings): StepPlan[] {
  return settings.politeConnections.flatMap((polite) => settings.multipliers.map((multiplier) => ({ multiplier, polite })));
}

function settingsKeyParts(sc: Scenario, settings: FairnessSettings, options: ScenarioOptions): string[] {
  return [
    `x${settings.multipliers.join('-')}`,
    `polite${settings.politeConnections.join('-')}-${settings.politeIntervalMs}ms-within${settings.politeWithinMs}ms`,
    `ol${settings.greedyConnections}-to${settings.timeoutSeconds}`,
    options.capacity === null ? `capc${options.connections}` : `cap${options.capacity}`,
    pathsKey(sc.paths),
  ];
}

export function fairnessScenario(sc: Scenario, settings: FairnessSettings = FAIRNESS_DEFAULTS): ScenarioModule {
  return {
    name: sc.name,
    description: sc.description,
    comparesToReference: false,
    settingsKeyParts: (options) => settingsKeyParts(sc, settings, options),
    settings: (options) => ({
      description: sc.description,
      greedy: { paths: `${WIDE_WINDOWS.count} distinct windows of ${WIDE_WINDOWS.days.min}–${WIDE_WINDOWS.days.max} days (seed ${WIDE_WINDOWS.seed}), in order`, method: 'open loop (bench/overload/run.ts), one event loop in the bench process', connections: settings.greedyConnections, multipliers: settings.multipliers },
      polite: { path: HOT_PATH, interval_ms: settings.politeIntervalMs, within_ms: settings.politeWithinMs, connections: settings.politeConnections, method: 'a child process of its own (bench/loadgen/polite-client.ts), pinned with the load generator; latencies from the intended send' },
      step_seconds: options.durationSeconds,
      settle_seconds: 'min(3, half a step): left out of the figures',
      capacity: options.capacity === null ? { source: 'measured', method: `each round, a recorded closed-loop run of the greedy paths (${options.tool}, ${options.connections} connections)` } : { source: 'given', rps: options.capacity },
    }),
    warmup: (options) => (options.warmupSeconds > 0 ? capacityLoad(sc, options, options.warmupSeconds) : null),
    runRound: async (context, round) => {
      const { capacity, outcomes } = await roundCapacity(sc, context, round);
      if (capacity === null) return outcomes;
      const stepSeconds = context.options.durationSeconds;
      const wrap = context.loadgenCpus === null ? [] : ['taskset', '-c', context.loadgenCpus];
      const rows = context.series('fairness_steps');
      let ok = true;
      let behind = false;
      for (const step of fairnessSteps(settings)) {
        const [plan] = overloadPlan({ capacity: capacity.rps, multipliers: [step.multiplier], stepSeconds });
        const work = whilePinned(context.loadgenCpus, () => Promise.all([
          runOverload(context.url, sc.paths, capacity.rps, { multipliers: [step.multiplier], stepSeconds, settleSeconds: plan.settleSeconds, connections: settings.greedyConnections, timeoutSeconds: settings.timeoutSeconds }),
          runPoliteClient({ url: context.url, path: HOT_PATH, intervalMs: settings.politeIntervalMs, durationSeconds: stepSeconds, connection: step.polite, timeoutMs: settings.timeoutSeconds * 1000, wrap }),
        ]));
        const { value: [greedy, answers] } = await (context.guard ? context.guard(work) : work);
        const polite = politeFigures(answers, plan.settleSeconds * 1000, settings.politeWithinMs);
        const summary = greedy.steps[0];
        ok &&= greedy.ok && summary !== undefined;
        behind ||= !greedy.generator.generatorKeptUp;
        rows.write(fairnessRow(step, capacity, settings, summary ?? null, polite, plan.seconds - plan.settleSeconds));
        context.log(`${sc.name} ${context.label}: greedy ${step.multiplier}× (${plan.rate} req/s), polite on ${step.polite === 'new' ? 'new connections' : 'one kept-alive connection'}: `
          + `${polite.okFast}/${polite.sent} polite answered 200 within ${settings.politeWithinMs} ms (${JSON.stringify(polite.statuses)}), goodput ${summary ? summary.goodput_rps.toFixed(0) : '—'} req/s${greedy.generator.generatorKeptUp ? '' : ' (generator behind)'}`);
      }
      if (behind) context.flag('generator-behind');
      if (!ok) context.flag('failed');
      const openLoop: PartOutcome = {
        run_index: round, status: ok ? 'ok' : 'failed', connections: settings.greedyConnections, requests_per_second: null,
        avg_latency_us: null, p50_latency_us: null, p90_latency_us: null, p99_latency_us: null, max_latency_us: null,
        loadgen_saturated: behind, capacity: false, part: 'open-loop',
      };
      return [...outcomes, openLoop];
    },
    summarize: summarizeParts,
    failures: (runs) => runs.filter((r) => r.status === 'failed').length,
  };
}

/** One fairness_steps row (pure). */
export function fairnessRow(
  step: StepPlan, capacity: Capacity, settings: FairnessSettings,
  greedy: { offered_rps: number; goodput_rps: number; p99_served_us: number | null; rejection_rate: number | null; generator_behind: boolean } | null,
  polite: ReturnType<typeof politeFigures>, settledSeconds: number,
): FairnessStepRow {
  return {
    step_multiplier: step.multiplier,
    polite_connection: step.polite,
    capacity_rps: capacity.rps,
    capacity_source: capacity.source,
    settled_seconds: settledSeconds,
    offered_rps: greedy?.offered_rps ?? null,
    goodput_rps: greedy?.goodput_rps ?? null,
    p99_served_us: greedy?.p99_served_us ?? null,
    rejection_rate: greedy?.rejection_rate ?? null,
    polite_interval_ms: settings.politeIntervalMs,
    polite_within_ms: settings.politeWithinMs,
    polite_sent: polite.sent,
    polite_ok_fast: polite.okFast,
    polite_share: polite.share,
    polite_p99_us: polite.p99LatencyUs,
    polite_statuses: JSON.stringify(polite.statuses),
    generator_behind: greedy === null || greedy.generator_behind ? 1 : 0,
  };
}
