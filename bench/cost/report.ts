/** The text `npm run cost` prints (pure). */
import type { CostMeasurement } from './measure.ts';
import type { Spread } from '../stats/spread.ts';

const kilo = (x: number) => `${(x / 1e3).toFixed(1)} k`;
const mega = (x: number) => `${(x / 1e6).toFixed(1)} M`;
const percent = (x: number) => `${(x * 100).toFixed(2)}%`;

export function describeSpread(s: Spread): string {
  return `${kilo(s.median)} instructions/request (median of ${s.n}; range ${kilo(s.min)}–${kilo(s.max)} = ${percent(s.range)} of the median, CV ${percent(s.cv)})`;
}

export function renderCost(label: string, scenario: string, m: CostMeasurement): string {
  const p = m.provenance;
  const lines = [
    `cost of ${label}, scenario ${scenario}: ${describeSpread(m.perRequest)}`,
    `before timer work and GC were split out: ${describeSpread(m.rawPerRequest)}`,
    `timer work (apart, not in a request): ${mega(m.timerInstructionsPerSecond)} instructions per second of wall time; GC ${kilo(m.gcPerRequest)} per request (averaged over the windows)`,
    ...(m.idle ?? []).map((i, p) => `idle period of process ${p + 1} (no request): ${i.seconds.toFixed(1)} s, ${mega(i.instructions)} instructions (timers ${mega(i.timerInstructions)}), ${i.loopTurns} loop turns: ${kilo(i.perSecond)} per second outside the timers`),
    '',
    'process  window  requests  seconds  instructions  timers     GC  turns  whole ÷ requests  per request',
    ...[...(m.setAside ?? []), ...m.windows].map(
      (w) =>
        `${String(w.process).padStart(7)}  ${String(w.window).padStart(6)}  ${String(w.requests).padStart(8)}  ${w.seconds.toFixed(1).padStart(7)}  ${mega(w.instructions).padStart(12)}  ${mega(w.timerInstructions).padStart(6)}  ${mega(w.gcInstructions).padStart(5)}  ${String(w.loopTurns ?? '').padStart(5)}  ${kilo(w.rawPerRequest).padStart(16)}  ${kilo(w.perRequest).padStart(11)}${w.window <= 0 ? '  (set aside)' : ''}`,
    ),
  ];
  if (m.withinProcess.some((s) => s.n > 1)) {
    lines.push(`spread within each process: ${m.withinProcess.map((s) => (s.n > 1 ? `${percent(s.range)} (CV ${percent(s.cv)})` : 'one window')).join(', ')}`);
  }
  lines.push(
    `${p.valgrind}, node ${p.node}, node flags: ${p.nodeFlags.join(' ') || '(none)'}`,
    `valgrind ${p.valgrindArgs.join(' ')}`,
    `N = ${p.requests} requests per window over ${p.paths} path(s), ${p.warmupRequests} warm-up requests per process, ${p.processes} process(es) × ${p.windowsPerProcess} window(s)`,
  );
  return `${lines.join('\n')}\n`;
}
