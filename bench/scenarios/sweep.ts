/**
 * sweep: the hot search at rising concurrency (SWEEP_STEPS) until a step crosses the
 * error-rate or p99 limit; the last healthy step of each round is the capacity. The
 * capacity is the chapter's own, so the reference does not run here.
 */
import { summarize, type RunOutcome } from '../figures/summarize.ts';
import { stepHealth, SWEEP_STEPS, type Scenario } from './index.ts';
import type { ScenarioModule } from './module.ts';
import { pathsKey } from './steady.ts';

export function sweepScenario(sc: Scenario): ScenarioModule {
  return {
    name: sc.name,
    description: sc.description,
    comparesToReference: false,
    settingsKeyParts: (options) => [`steps${SWEEP_STEPS.join('-')}-p99${options.sweep.maxP99Ms}-err${options.sweep.maxErrorRate}`, 'ka', pathsKey(sc.paths)],
    settings: (options) => ({
      description: sc.description,
      keep_alive: sc.keepAlive,
      paths: sc.paths,
      steps: SWEEP_STEPS,
      max_p99_ms: options.sweep.maxP99Ms,
      max_error_rate: options.sweep.maxErrorRate,
      step_seconds: options.durationSeconds,
    }),
    warmup: (options) => (options.warmupSeconds > 0 ? { paths: sc.paths, keepAlive: sc.keepAlive, connections: options.connections, durationSeconds: options.warmupSeconds } : null),
    runRound: async (context) => {
      const steps: RunOutcome[] = [];
      for (const connections of SWEEP_STEPS) {
        const { outcome, result } = await context.measure({ paths: sc.paths, keepAlive: sc.keepAlive, connections, durationSeconds: context.options.durationSeconds });
        const failed = result.non2xx + result.socketErrors + result.timeoutErrors;
        const health = stepHealth({ ok: result.ok, totalRequests: result.totalRequests, failedRequests: failed, p99LatencyUs: result.latencyUs?.p99 ?? null }, context.options.sweep);
        if (!health.healthy) {
          const capacity = steps.length ? `${steps[steps.length - 1].connections} connections` : 'not found (the first step was unhealthy)';
          context.log(`sweep ${context.label}: ${connections} connections unhealthy (${health.reason}); capacity ${capacity}`);
          // Not a capacity candidate; the run row itself keeps the tool's verdict.
          steps.push({ ...outcome, status: 'failed', capacity: false });
          break;
        }
        steps.push({ ...outcome, capacity: false });
      }
      const healthy = steps.filter((s) => s.status === 'ok');
      if (healthy.length > 0) healthy[healthy.length - 1].capacity = true;
      if (healthy.length === SWEEP_STEPS.length) context.flag('sweep-limit-not-reached');
      return steps;
    },
    summarize: (runs) => summarize(runs),
    // An unhealthy step is how a sweep ends, not a failure.
    failures: () => 0,
  };
}
