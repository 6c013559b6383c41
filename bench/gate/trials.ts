/**
 * How often does the gate alarm? Runs the real gate CLI many times on a temporary
 * repository (see work-repo.ts) and counts verdicts:
 *   - identical trees (head = base content, another commit): every FAIL is a false alarm;
 *   - heads doing a fixed fraction more CPU work per request (default +10% and +25%):
 *     every FAIL is a detection.
 * Cases are interleaved trial by trial so machine drift spreads over all of them.
 *
 *   npm run trials -- --trials 10 [--identical 20] [--extra 0.03,0.10]
 *                            [--pairs N --duration S --warmup S --connections N --threshold F --tool NAME --cost-requests N --cost-windows N]
 *   npm run trials -- --server main --trials 10 --identical 20 [--slowdown 0.10] [--reports <dir>]
 *
 * --reports keeps each gate run's Markdown report (its windows, pairs and reasons) as
 * <dir>/<trial>-<case>.md: what an inconclusive or failed run saw.
 *
 * Every gate run is recorded as it ends in the benchmark database (--db, default
 * data/bench.sqlite; --no-record to keep it out): a session of kind 'gate-trials', table
 * gate_trial_runs, view gate_trials (trials-record.ts). Appendix A shows the latest.
 *
 * With --server <ref>, the trials run on the real server at that commit (server-repo.ts):
 * identical trees, and heads adding pure JavaScript work to every reply, calibrated to cost
 * --slowdown of the base's throughput (calibrate.ts: the base's CPU per request under the
 * gate's load, the loop's measured speed).
 *
 * The gate runs at its own defaults unless a gate flag is given here (then it is passed on).
 *
 * Note: "+10% work per request" slows the server by a little less than 10%, since each
 * request also costs fixed HTTP overhead; the measured ratio is printed beside the rates.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveCommit } from '../git/commit.ts';
import { median } from '../stats/descriptive.ts';
import { Cleanup } from '../subject/cleanup.ts';
import { cpuSecondsPerRequest, iterationsForSlowdown, loopNanoseconds } from './calibrate.ts';
import { DEFAULTS } from './args.ts';
import { createServerTrialRepo } from './server-repo.ts';
import { BASE_ITERATIONS, createWorkRepo } from './work-repo.ts';
import { openTrialsRecord, type GateRunOutcome, type TrialsRecord } from './trials-record.ts';
import { numberFlag, parseFlags, UsageError } from '../../cli/args.ts';

/** The gate's own flags that trials may pass on. */
const GATE_FLAGS = ['pairs', 'duration', 'warmup', 'connections', 'threshold', 'tool', 'cost-requests', 'cost-windows'] as const;

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'bench', 'gate', 'cli.ts');

interface TrialCase {
  name: string;
  extraWork: number;
  head: string;
  /** How many gate runs this case gets (interleaved with the others while it has some left). */
  trials: number;
}

interface TrialOutcome extends GateRunOutcome {
  exitCode: number | null;
}

const VERDICTS: Record<number, string> = { 0: 'pass', 1: 'fail', 2: 'error', 3: 'inconclusive' };

/** What one gate run may take (issue 22: the gate job stays within 4 minutes). */
const GATE_RUN_BUDGET_SECONDS = 240;

const USAGE =
  'Usage: npm run trials -- --trials N [--identical N] [--extra F,F] [--pairs N --duration S --warmup S --connections N --threshold F --tool NAME --cost-requests N --cost-windows N]\n' +
  '       npm run trials -- --server <ref> [--repo <dir>] --trials N [--identical N] [--slowdown F,F] [gate flags]\n' +
  '       either form: [--reports <dir>] keeps every gate run\'s report there;\n' +
  '       [--db <file>] records every run there (default data/bench.sqlite), [--no-record] does not\n';

function fail(message: string): never {
  process.stderr.write(`trials: ${message}\n${USAGE}`);
  process.exit(2);
}

function parse(argv: string[]) {
  try {
    return parseTrialArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) fail(error.message);
    throw error;
  }
}

function parseTrialArgs(argv: string[]) {
  const { values } = parseFlags({
    args: argv,
    strict: true,
    options: {
      trials: { type: 'string', default: '10' },
      identical: { type: 'string' },
      extra: { type: 'string', default: '0.03,0.10' },
      server: { type: 'string' },
      repo: { type: 'string', default: '.' },
      slowdown: { type: 'string', default: '0.10' },
      reports: { type: 'string' },
      db: { type: 'string', default: join(root, 'data', 'bench.sqlite') },
      'no-record': { type: 'boolean' },
      help: { type: 'boolean' },
      ...Object.fromEntries(GATE_FLAGS.map((flag) => [flag, { type: 'string' as const }])),
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const trials = numberFlag('--trials', values.trials, { integer: true, min: 1 });
  const identical = values.identical === undefined ? trials : numberFlag('--identical', values.identical, { integer: true, min: 0 });
  const extras = values.extra.split(',').map((x) => numberFlag('--extra', x.trim(), { above: 0, hint: 'a list of fractions, e.g. 0.10,0.25' }));
  const slowdowns = values.slowdown.split(',').map((x) => numberFlag('--slowdown', x.trim(), { above: 0, below: 1, hint: 'a list of throughput losses, e.g. 0.10' }));
  // Only the gate flags given here are passed on: otherwise the gate runs at its own defaults.
  const given = values as Record<string, unknown>;
  const gateArgs = GATE_FLAGS.flatMap((flag) => (typeof given[flag] === 'string' ? [`--${flag}`, given[flag] as string] : []));
  const connections = typeof given.connections === 'string' ? Number(given.connections) : DEFAULTS.connections;
  return { trials, identical, extras, slowdowns, server: values.server ?? null, repo: values.repo, connections, gateArgs, reports: values.reports === undefined ? null : resolve(values.reports),
    db: values['no-record'] ? null : resolve(values.db) };
}

interface TrialRepo {
  dir: string;
  base: string;
  cases: TrialCase[];
  /** What the base and the heads are, for the report. */
  description: string;
  /** The server's commit when the trials run on the real server (--server), else null. */
  serverCommit: string | null;
  remove(): void;
}

/** The tiny work server: the base does BASE_ITERATIONS per request, heads `extras` more. */
function workTrialRepo(): TrialRepo {
  const repo = createWorkRepo([BASE_ITERATIONS, BASE_ITERATIONS, ...extras.map((x) => Math.round(BASE_ITERATIONS * (1 + x)))]);
  const [base, same, ...slower] = repo.commits;
  return {
    dir: repo.dir,
    base,
    cases: [
      { name: 'identical trees', extraWork: 0, head: same, trials: identical },
      ...extras.map((x, i) => ({ name: `head +${Math.round(x * 100)}% work`, extraWork: x, head: slower[i], trials })),
    ],
    description: `base server work ${BASE_ITERATIONS} busy-loop iterations per request`,
    serverCommit: null,
    remove: repo.remove,
  };
}

/** The real server at `ref`: heads with extra work per reply calibrated to each --slowdown. */
async function serverTrialRepo(ref: string): Promise<TrialRepo> {
  const commit = await resolveCommit(repoDir, ref);
  if (commit === null) fail(`--server ${ref} is not a commit in ${repoDir}`);
  const cleanup = new Cleanup();
  let perRequest: number;
  try {
    perRequest = await cpuSecondsPerRequest(repoDir, commit, cleanup, { connections, seconds: 5, log: (line) => process.stderr.write(`trials: ${line}\n`) });
  } finally {
    await cleanup.run();
  }
  const loop = loopNanoseconds();
  const iterations = slowdowns.map((x) => iterationsForSlowdown(x, perRequest, loop));
  process.stderr.write(`trials: base ${commit.slice(0, 12)}: ${(perRequest * 1e6).toFixed(1)} µs of CPU per request; the loop takes ${loop.toFixed(2)} ns per iteration: ${slowdowns.map((x, i) => `${iterations[i]} iterations for −${Math.round(x * 100)}%`).join(', ')}\n`);
  const repo = createServerTrialRepo(repoDir, commit, iterations);
  return {
    dir: repo.dir,
    base: repo.base,
    cases: [
      { name: 'identical trees', extraWork: 0, head: repo.identical, trials: identical },
      ...slowdowns.map((x, i) => ({ name: `head −${Math.round(x * 100)}% throughput (${iterations[i]} iterations per reply)`, extraWork: x, head: repo.slower[i], trials })),
    ],
    description: `the server at ${ref} (${commit.slice(0, 12)}); heads preload pure JavaScript work before every reply, calibrated on ${(perRequest * 1e6).toFixed(1)} µs of CPU per request and ${loop.toFixed(2)} ns per loop iteration`,
    serverCommit: commit,
    remove: repo.remove,
  };
}

/** A case's name as a file name: `identical-trees`, `head-10-throughput-68-iterations-per-reply` (pure). */
function caseSlug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

function runGateOnce(repo: string, base: string, head: string, gateArgs: string[], report: string | null): Promise<TrialOutcome> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--repo', repo, '--base', base, '--head', head, ...gateArgs, ...(report === null ? [] : ['--report', report])], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      const match = /head\/base throughput ([\d.]+) \(95% CI ([\d.]+)–([\d.]+)\)/.exec(stderr);
      const decided = /\(decided by (\w+)\)/.exec(stderr);
      const cost = /head\/base instructions per request ([\d.]+)/.exec(stderr);
      // The gate exits 1 on a regression and on an error alike: an error is never counted as a detection.
      const failedToCompare = /^gate: error:/m.test(stderr);
      const verdict = exitCode === null ? 'killed' : failedToCompare ? 'error' : (VERDICTS[exitCode] ?? `exit ${exitCode}`);
      if (verdict === 'error') process.stderr.write(`trials: gate error:\n${stderr.split('\n').filter((l) => l.includes('error')).join('\n')}\n`);
      resolve({
        exitCode,
        verdict,
        decidedBy: decided ? decided[1] : null,
        costRatio: cost ? Number(cost[1]) : null,
        ratio: match ? Number(match[1]) : null,
        low: match ? Number(match[2]) : null,
        high: match ? Number(match[3]) : null,
        seconds: (performance.now() - started) / 1000,
      });
    });
  });
}

const { trials, identical, extras, slowdowns, server, repo: repoDir, connections, gateArgs, reports, db } = parse(process.argv.slice(2));
if (reports !== null) mkdirSync(reports, { recursive: true });
const repo = server === null ? workTrialRepo() : await serverTrialRepo(server);
let interrupted = false;
process.on('SIGINT', () => {
  interrupted = true; // the running gate gets the SIGINT too, cleans up and exits; then we stop
});

const { base, cases } = repo;
const rounds = Math.max(...cases.map((c) => c.trials));
const outcomes = new Map<TrialCase, TrialOutcome[]>(cases.map((c) => [c, []]));
const started = new Date();
process.stderr.write(`trials: ${cases.map((c) => `${c.trials} × ${c.name}`).join(', ')} on ${repo.dir}; gate ${gateArgs.join(' ') || '(its defaults)'}; ${repo.description}\n`);
let record: TrialsRecord | null = null;
try {
  record =
    db === null
      ? null
      : await openTrialsRecord(db, {
          command: `npm run trials -- ${process.argv.slice(2).join(' ')}`,
          gate_args: gateArgs,
          description: repo.description,
          server_commit: repo.serverCommit,
          cases: cases.map((c) => ({ name: c.name, slowdown: c.extraWork, runs: c.trials })),
        }, (line) => process.stderr.write(`${line}\n`));
} catch (error) {
  // The database is locked by a bench, say: nothing measured yet, nothing left behind.
  repo.remove();
  process.stderr.write(`trials: cannot record in ${db}: ${(error as Error).message} (--no-record runs without it)\n`);
  process.exit(1);
}
let status: 'complete' | 'interrupted' | 'failed' = 'failed';

try {
  for (let t = 1; t <= rounds && !interrupted; t++) {
    for (const c of cases) {
      if (interrupted) break;
      if (t > c.trials) continue;
      const outcome = await runGateOnce(repo.dir, base, c.head, gateArgs, reports === null ? null : join(reports, `${t}-${caseSlug(c.name)}.md`));
      // A run cut short by Ctrl-C is no verdict: the table counts the runs that ended.
      if (interrupted) break;
      outcomes.get(c)!.push(outcome);
      record?.record(c.name, t, c.extraWork, outcome);
      const ci = outcome.ratio === null ? 'no ratio' : `${outcome.ratio.toFixed(3)} [${outcome.low!.toFixed(3)}, ${outcome.high!.toFixed(3)}]`;
      const instructions = outcome.costRatio === null ? '' : `, instructions ${outcome.costRatio.toFixed(4)}`;
      process.stderr.write(`trials: ${t}/${c.trials} ${c.name}: ${outcome.verdict} by ${outcome.decidedBy ?? '—'} (head/base req/s ${ci}${instructions}, ${outcome.seconds.toFixed(0)} s)\n`);
    }
  }
  status = interrupted ? 'interrupted' : 'complete';
} finally {
  record?.finish(status);
  repo.remove();
}

const pct = (k: number, n: number) => (n === 0 ? 'n/a' : `${((100 * k) / n).toFixed(0)}% (${k}/${n})`);
const lines = [
  `## Gate trials — ${started.toISOString()} → ${new Date().toISOString()}`,
  '',
  `Command: \`npm run trials -- ${process.argv.slice(2).join(' ')}\``,
  `Gate settings: \`${gateArgs.join(' ') || 'the gate\'s defaults'}\`; ${repo.description}.`,
  '',
  '| case | runs | fail (alarm) | pass | inconclusive | error | decided by instructions | median head/base instructions | median head/base req/s | median CI width | median seconds | slowest seconds |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
];
for (const c of cases) {
  const runs = outcomes.get(c)!;
  const count = (v: string) => runs.filter((r) => r.verdict === v).length;
  const ratios = runs.flatMap((r) => (r.ratio === null ? [] : [r.ratio]));
  const widths = runs.flatMap((r) => (r.low === null || r.high === null ? [] : [r.high - r.low]));
  const costRatios = runs.flatMap((r) => (r.costRatio === null ? [] : [r.costRatio]));
  const medianOr = (values: number[], digits: number) => (values.length ? median(values).toFixed(digits) : 'n/a');
  lines.push(
    `| ${c.name} | ${runs.length} | ${pct(count('fail'), runs.length)} | ${pct(count('pass'), runs.length)} | ${pct(count('inconclusive'), runs.length)} | ${count('error')} | ${runs.filter((r) => r.decidedBy === 'instructions').length}/${runs.length} | ${medianOr(costRatios, 4)} | ${medianOr(ratios, 3)} | ${medianOr(widths, 3)} | ${medianOr(runs.map((r) => r.seconds), 0)} | ${runs.length ? Math.max(...runs.map((r) => r.seconds)).toFixed(0) : 'n/a'} |`,
  );
}
const identicalRuns = outcomes.get(cases[0])!;
lines.push('');
lines.push(`False-alarm rate (FAIL on identical trees): ${pct(identicalRuns.filter((r) => r.verdict === 'fail').length, identicalRuns.length)}.`);
lines.push(`Inconclusive on identical trees: ${pct(identicalRuns.filter((r) => r.verdict === 'inconclusive').length, identicalRuns.length)}.`);
for (const c of cases.slice(1)) {
  const runs = outcomes.get(c)!;
  lines.push(`Detection rate, ${c.name}: ${pct(runs.filter((r) => r.verdict === 'fail').length, runs.length)}.`);
}
const allRuns = [...outcomes.values()].flat();
if (allRuns.length > 0) {
  const over = allRuns.filter((r) => r.seconds > GATE_RUN_BUDGET_SECONDS).length;
  lines.push(`Gate runs over ${GATE_RUN_BUDGET_SECONDS / 60} minutes: ${pct(over, allRuns.length)}; the slowest took ${Math.max(...allRuns.map((r) => r.seconds)).toFixed(0)} s.`);
}
process.stdout.write(`${lines.join('\n')}\n`);
process.exitCode = interrupted ? 130 : 0;
