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
    '',
    'process  window  requests  instructions  per request',
    ...m.windows.map((w) => `${String(w.process).padStart(7)}  ${String(w.window).padStart(6)}  ${String(w.requests).padStart(8)}  ${mega(w.instructions).padStart(12)}  ${kilo(w.perRequest).padStart(11)}`),
    '',
    `startup (start until ready, first poll included), per process: ${m.startup.map(mega).join(', ')}`,
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
