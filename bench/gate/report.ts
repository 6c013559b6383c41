/** The gate's Markdown report (for --report and $GITHUB_STEP_SUMMARY), pure. */
import { coefficientOfVariation } from '../stats.ts';
import type { GateResult, RunFigures } from './types.ts';
import { EXIT_CODE } from './verdict.ts';
import type { RatioInterval } from './verdict.ts';

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

function interval(r: RatioInterval): string {
  return `**${ratio(r.ratio)}** (${Math.round(r.confidence * 100)}% CI ${ratio(r.low)}–${ratio(r.high)}, ${r.n} pairs)`;
}

function runCells(run: RunFigures): string[] {
  return [rps(run.requestsPerSecond), ms(run.p99LatencyUs)];
}

export function renderGateReport(result: GateResult): string {
  const { settings, machine, decision } = result;
  const lines: string[] = [];
  lines.push(`## Regression gate: ${HEADLINE[decision.verdict]}`, '');
  lines.push(`Verdict: **${decision.verdict}** (exit code ${EXIT_CODE[decision.verdict]}). ${decision.reason}.`, '');
  lines.push(`- Throughput ratio head/base: ${interval(result.throughput)}; limit ${ratio(decision.limit)} (threshold ${percent(decision.threshold)} slower). Below 1 means head is slower.`);
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
  lines.push('| pair | order | base req/s | base p99 | head req/s | head p99 | head/base req/s | errors base/head |', '|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const p of result.pairs) {
    const order = p.order.join(' → ');
    lines.push(`| ${p.pair} | ${order} | ${[...runCells(p.base), ...runCells(p.head)].join(' | ')} | ${ratio(p.head.requestsPerSecond / p.base.requestsPerSecond)} | ${p.base.errors}/${p.head.errors} |`);
  }
  lines.push('');
  const cv = (values: number[]) => percent(coefficientOfVariation(values));
  lines.push(
    `Run-to-run variation (coefficient of variation of req/s): base ${cv(result.pairs.map((p) => p.base.requestsPerSecond))}, head ${cv(result.pairs.map((p) => p.head.requestsPerSecond))}.`,
  );
  lines.push('');
  lines.push('### Settings', '');
  lines.push(`- Tool: ${settings.tool.name} ${settings.tool.version} (\`${cell(settings.tool.path)}\`)`);
  lines.push(`- Scenario: \`${settings.scenario}\` — \`GET ${cell(settings.path)}\`, ${settings.connections} connections, keep-alive`);
  lines.push(`- ${settings.pairs} pairs of ${settings.durationSeconds} s runs, alternating which side runs first (ABBA); ${settings.warmupSeconds} s warm-up per server`);
  lines.push(`- Threshold: ${percent(settings.threshold)}; interval: paired Student t on ln(head/base), ${Math.round(result.throughput.confidence * 100)}%`);
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

/** The report when the gate could not measure: no verdict, the reason, exit code 2. */
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
