/** The gate's Markdown report (for --report and $GITHUB_STEP_SUMMARY), pure. */
import { coefficientOfVariation } from '../stats/descriptive.ts';
import type { GateCost, GateResult } from './types.ts';
import type { RunFigures } from '../figures/run-row.ts';
import { CONFIDENCE, COST_RULE, EXIT_CODE, gateSlices } from './verdict.ts';
import type { CostAssessment } from './verdict.ts';
import { sliceRatios, type PairedRatio } from '../stats/paired-ratio.ts';

const HEADLINE = {
  pass: 'PASS — no regression beyond the threshold',
  fail: 'FAIL — head is slower than base beyond the threshold',
  inconclusive: 'INCONCLUSIVE — the measurements cannot decide',
} as const;

const ratio = (x: number) => x.toFixed(3);
const percent = (x: number) => `${(x * 100).toFixed(1)}%`;
const rps = (x: number) => x.toFixed(0);
const ms = (us: number | null) => (us === null ? 'n/a' : `${(us / 1000).toFixed(2)} ms`);
const short = (commit: string) => commit.slice(0, 12);
/** Table cells must not break the table. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function interval(r: PairedRatio): string {
  return `**${ratio(r.ratio)}** (${Math.round(CONFIDENCE * 100)}% CI ${ratio(r.low)}–${ratio(r.high)}, ${r.slices} pairs)`;
}

const kilo = (x: number) => `${(x / 1e3).toFixed(1)} k`;
const signedPercent = (x: number) => `${x >= 0 ? '+' : '−'}${percent(Math.abs(x))}`;

const COST_STATUS = { fail: 'FAIL', regression: 'regression reported', pass: 'pass', noisy: 'too noisy to decide' } as const;

function costLine(cost: CostAssessment | null, note: string | null): string {
  if (cost === null) return `- Instructions per request: not counted — ${note ?? 'no callgrind measurement'}.`;
  return `- Instructions per request head/base: **${ratio(cost.ratio)}** (${signedPercent(cost.ratio - 1)}; each side's lowest window: base ${kilo(cost.baseFloor)}, head ${kilo(cost.headFloor)}, confirmed by the next lowest within ${percent(cost.noise)}; lowest head ÷ highest base window ${ratio(cost.separation)}); fails above ${signedPercent(COST_RULE.fail)}, reported above ${signedPercent(COST_RULE.report)}: **${COST_STATUS[cost.status]}**.`;
}

function costSection(cost: GateCost): string[] {
  if ('unavailable' in cost) return [];
  const lines = [
    '### Instruction count (callgrind)',
    '',
    '| side | window | requests | seconds | instructions | of which timers (apart) | of which GC (averaged) | per request |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const mega = (x: number) => `${(x / 1e6).toFixed(1)} M`;
  for (const side of ['base', 'head'] as const) {
    for (const w of cost[side].windows) lines.push(`| ${side} | ${w.window} | ${w.requests} | ${w.seconds.toFixed(1)} s | ${mega(w.instructions)} | ${mega(w.timerInstructions)} | ${mega(w.gcInstructions)} | ${kilo(w.perRequest)} |`);
  }
  const p = cost.base.provenance;
  lines.push('');
  lines.push(`${p.valgrind}, node ${p.node} ${p.nodeFlags.join(' ')}; ${p.warmupRequests} warm-up requests per server; one keep-alive connection, one request at a time.`);
  lines.push('');
  return lines;
}

function runCells(run: RunFigures): string[] {
  return [rps(run.requestsPerSecond), ms(run.p99LatencyUs)];
}

export function renderGateReport(result: GateResult): string {
  const { settings, machine, decision } = result;
  const lines: string[] = [];
  lines.push(`## Regression gate: ${HEADLINE[decision.verdict]}`, '');
  lines.push(`Verdict: **${decision.verdict}** (exit code ${EXIT_CODE[decision.verdict]}), decided by **${decision.decidedBy}**. ${decision.reason}.`, '');
  lines.push(costLine(decision.cost, decision.costNote));
  lines.push(`- Throughput ratio head/base: ${interval(result.throughput)}; limit ${ratio(decision.limit)} (threshold ${percent(decision.threshold)} slower); on its own: ${decision.throughput.verdict}. Below 1 means head is slower.`);
  lines.push(
    result.p99
      ? `- p99 latency ratio head/base: ${interval(result.p99)} — informational, not part of the verdict; above 1 means head is slower.`
      : '- p99 latency ratio head/base: n/a (a run reported no p99 latency).',
  );
  lines.push('');
  lines.push('| side | ref | commit | subject |', '|---|---|---|---|');
  for (const side of ['base', 'head'] as const) {
    const rev = result[side];
    lines.push(`| ${side} | \`${cell(rev.ref)}\` | \`${short(rev.commit)}\` | ${cell(rev.subject)} |`);
  }
  lines.push('');
  lines.push('### Runs', '');
  // The ratios the estimate is the median of: each head run ÷ base at its moment (pairs run in order, so head i is pair i's).
  const slices = gateSlices(result.pairs, (run) => run.requestsPerSecond);
  const paired = sliceRatios(slices.head, slices.base);
  lines.push('| pair | order | base req/s | base p99 | head req/s | head p99 | head ÷ base at that moment | errors base/head |', '|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const [i, p] of result.pairs.entries()) {
    const order = p.order.join(' → ');
    lines.push(`| ${p.pair} | ${order} | ${[...runCells(p.base), ...runCells(p.head)].join(' | ')} | ${ratio(paired[i])} | ${p.base.errors}/${p.head.errors} |`);
  }
  lines.push('');
  const cv = (values: number[]) => percent(coefficientOfVariation(values));
  lines.push(
    `Run-to-run variation (coefficient of variation of req/s): base ${cv(result.pairs.map((p) => p.base.requestsPerSecond))}, head ${cv(result.pairs.map((p) => p.head.requestsPerSecond))}.`,
  );
  lines.push('');
  lines.push(...costSection(result.cost));
  lines.push('### Settings', '');
  lines.push(`- Tool: ${settings.tool.name} ${settings.tool.version} (\`${cell(settings.tool.path)}\`)`);
  lines.push(`- Scenario: \`${settings.scenario}\` — \`GET ${cell(settings.path)}\`, ${settings.connections} connections, keep-alive`);
  lines.push(`- ${settings.pairs} pairs of ${settings.durationSeconds} s runs, alternating which side runs first (ABBA); ${settings.warmupSeconds} s warm-up per server`);
  lines.push(`- Threshold: ${percent(settings.threshold)}; throughput ratio: each head run ÷ base at that moment (log-linear between the base runs before and after it), the median with its distribution-free ${Math.round(CONFIDENCE * 100)}% interval (bench/stats/paired-ratio.ts)`);
  lines.push(`- Started ${result.startedAt}, finished ${result.finishedAt}`);
  lines.push('');
  lines.push('### Machine', '');
  lines.push(`- ${cell(machine.cpu_model)}, ${machine.cores} cores, ${(machine.memory_bytes / 2 ** 30).toFixed(1)} GiB`);
  lines.push(`- ${cell(machine.os)}, kernel ${cell(machine.kernel)}, Node ${machine.node_version}; fingerprint \`${machine.fingerprint}\``);
  const load = (values: number[]) => values.map((v) => v.toFixed(2)).join(' / ');
  lines.push(`- Load average (1 / 5 / 15 min): ${load(machine.loadAverage.start)} at the start, ${load(machine.loadAverage.end)} at the end`);
  lines.push('');
  return lines.join('\n');
}

/** The report when the gate could not measure: no verdict, the reason, exit code 1 (EXIT_CODE.error). */
export function renderGateError(base: string, head: string, message: string): string {
  return [
    '## Regression gate: ERROR — no verdict',
    '',
    `Comparing \`${cell(base)}\` (base) with \`${cell(head)}\` (head) failed (exit code ${EXIT_CODE.error}):`,
    '',
    '```',
    message.replace(/```/g, "'''"),
    '```',
    '',
  ].join('\n');
}
