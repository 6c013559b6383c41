// Plain-text tables of an overload run: one line per second (printed live), then the steps.
import type { OverloadRun } from './run.ts';
import type { OverloadSecond } from './record.ts';
import type { StepSummary } from './summary.ts';

const ms = (us: number | null): string => (us === null ? '-' : (us / 1000).toFixed(1));
const percent = (rate: number | null): string => (rate === null ? '-' : `${(rate * 100).toFixed(1)}%`);
const row = (cells: (string | number)[], widths: number[]): string =>
  cells.map((cell, i) => String(cell).padStart(widths[i] ?? 8)).join(' ').trimEnd();

const SECOND_WIDTHS = [4, 5, 5, 8, 8, 8, 7, 9, 9, 9, 8, 0];
export const SECOND_HEADER = row(['s', 'step', '×', 'offered', '2xx', '503/429', 'failed', 'p50 ms', 'p99 ms', 'inflight', 'lag ms', ' note'], SECOND_WIDTHS);

/** One second: what was offered, what came back, the served latency from the intended send time. */
export function formatSecond(second: OverloadSecond): string {
  const notes = [second.step_index === null ? 'drain' : '', second.settling ? 'settling' : '', second.generator_behind ? 'GENERATOR BEHIND' : '']
    .filter((note) => note !== '');
  return row([
    second.second, second.step_index ?? '-', second.step_multiplier ?? '-', second.offered_rps, second.completed_rps,
    second.rejected_rps, second.failed_rps, ms(second.p50_latency_us), ms(second.p99_latency_us), second.in_flight, ms(second.max_send_lag_us), ` ${notes.join(', ')}`,
  ], SECOND_WIDTHS);
}

const STEP_WIDTHS = [5, 8, 9, 9, 10, 9, 9, 0];
const STEP_HEADER = row(['×', 'rate', 'offered/s', 'goodput/s', 'p99 ms', 'rejected', 'failed', ' note'], STEP_WIDTHS);

function formatStep(step: StepSummary): string {
  return row([
    step.multiplier, step.offered_rate, step.offered_rps.toFixed(0), step.goodput_rps.toFixed(0), ms(step.p99_served_us),
    percent(step.rejection_rate), percent(step.failure_rate), step.generator_behind ? ' GENERATOR BEHIND: not the server\'s figure' : '',
  ], STEP_WIDTHS);
}

/** The closing report: step summaries over their settled seconds, then the generator's own account. */
export function formatRunSummary(run: OverloadRun): string {
  const { generator } = run;
  const lines = [
    `steps (capacity ${run.capacity >= 100 ? run.capacity.toFixed(0) : run.capacity.toFixed(1)} req/s; settled seconds only; p99 of served requests from the intended send time):`,
    STEP_HEADER,
    ...run.steps.map(formatStep),
    `generator: ${generator.tool.name} ${generator.tool.version}, cpu ${generator.cpuSeconds.toFixed(2)} s over ${generator.wallSeconds.toFixed(1)} s wall; `
      + `offered ${generator.totals.offered}, 2xx ${generator.totals.completed}, rejected ${generator.totals.rejected}, failed ${generator.totals.failed}, unfinished ${generator.totals.unfinished}, never sent ${generator.totals.unsent} (+${generator.warmUpRequests} uncounted warm-up GETs before the clock)`,
    generator.generatorKeptUp
      ? 'generator kept its schedule in every second'
      : `GENERATOR BEHIND its schedule in second(s) ${generator.behindSeconds.join(', ')}: those seconds measure the generator, not the server`,
  ];
  if (!run.ok) lines.push(`FAILED: ${run.failure ?? 'no request was served'}`);
  return lines.join('\n');
}
