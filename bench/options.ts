/**
 * Command-line options of `npm run bench`: parsing and validation (pure). A bad
 * flag is a UsageError: the CLI prints its message and exits 2, no stack trace.
 */
import { resolve } from 'node:path';
import { numberFlag, parseFlags, SECONDS_OR_NONE, UsageError } from '../cli/args.ts';
import { DEFAULT_SCENARIOS, DEFAULT_SWEEP_LIMITS, SCENARIO_NAMES, type ScenarioName, type SweepLimits } from './scenarios/index.ts';
import type { ScenarioOptions } from './scenarios/module.ts';

export const TOOLS = ['autocannon', 'wrk', 'oha'] as const;
export type ToolName = (typeof TOOLS)[number];

/** The verbs of `npm run bench`; `run` when none is named. */
export const VERBS = ['run', 'list', 'merge', 'restore-tags', 'clean-iptables', 'soak'] as const;
export type Verb = (typeof VERBS)[number];

export interface BenchOptions extends ScenarioOptions {
  /** What to do: the verb named first, or the older flag that names it (--list, --merge …). */
  verb: Verb;
  repoDir: string;
  dbPath: string;
  /** Chapter tags, or `tag+experiment` for one experiment; null: every chapter. */
  chapters: string[] | null;
  /** Whether a chapter selected by its tag brings its experiments (soak: not unless named as `tag+experiment`). */
  withExperiments: boolean;
  /** Scenario names (bench/scenarios/registry.ts); validated here against the built-in ones. */
  scenarios: string[];
  runs: number;
  durationSeconds: number;
  connections: number;
  warmupSeconds: number;
  /** hot, mix, close: unrecorded seconds of load right before every measured slice, so no slice starts on a server left idle by the others. */
  settleSeconds: number;
  tool: ToolName;
  threads: number;
  /** hot, mix, hot-xN: requests sent at once on each connection (wrk), so the generator outruns the reference; 1 = none. */
  pipeline: number;
  force: boolean;
  list: boolean;
  restoreTags: boolean;
  /** Remove the iptables rules (comment perf-book:) that benches no longer running left behind, then exit. */
  cleanIptables: boolean;
  exportDir: string | null;
  /** Database files of other machines to merge into --db, then exit. */
  merge: string[] | null;
  sweep: SweepLimits;
  /** The open-loop scenarios' capacity in req/s; 'objective': searched against the service's objective each round (open loop); null: measured first in each round (a closed-loop run of the same paths). */
  capacity: number | 'objective' | null;
  /** Whether --tool was given: a missing default tool then says how to install it or name another. */
  toolNamed: boolean;
  /** Pin the servers and the load generator to disjoint CPU sets (Linux, taskset, ≥ 2 cores). */
  pin: boolean;
  /** The servers' share of one CPU (a cgroup CFS quota), or null for no quota. */
  serverCpuQuota: number | null;
  /** One extra, unrecorded run per chapter × scenario under node --cpu-prof; its top functions stored in `profiles`. */
  profile: boolean;
  help: boolean;
}

// Defaults for a small (2-core) machine shared by the server and the load generator.
// wrk (C, one thread) outruns a bare node:http server; autocannon (one Node.js event loop) does not.
// Many short interleaved slices rather than a few long runs: neighbours move this machine's
// throughput within seconds, and a ratio to the reference is paired slice by slice (stats/paired-ratio.ts).
export const DEFAULTS = { runs: 16, durationSeconds: 4, connections: 32, warmupSeconds: 3, settleSeconds: 2, tool: 'wrk' as ToolName, threads: 1 };

export const HELP = `Usage: npm run bench -- [run] [options]
       npm run bench -- list | merge <files…> | restore-tags | clean-iptables [--db, --repo]
       npm run bench -- edition [--dry-run | --resume <session>] (edition --help)
       npm run bench -- withdraw <session> --reason <text> (withdraw --help)
       npm run bench -- comparison-kind ["<CPU model> · <cores>" | --clear] (comparison-kind --help)

Verbs (the older flags --list, --merge, --restore-tags, --clean-iptables still work):
  run (default)   measure the chapters, below
  list            the chapters and what is already measured on this machine
  merge <files…>  add the sessions of other machines' database files to --db (never
                  mixing machines; merging a file twice adds nothing)
  restore-tags    create chapter tags missing from this clone at the commits of
                  data/chapters.json (an existing tag is never moved)
  clean-iptables  remove the kernel-limit rules (iptables, comment perf-book:) left by a
                  bench that no longer runs (a bench also does it before it adds its own)
  edition         everything the book cites, in one session (bench/edition/; edition --help)
  withdraw <id>   keep a session measured on a disturbed machine as history, never cited
                  (--reason required; withdraw --help)
  comparison-kind the kind of machine whose latest complete edition the book cites
                  (CPU model · cores); other kinds' editions stay history
  soak            the soak, a session of its own (never part of an edition): the mix's
                  requests at 80% of their capacity against the objective for 10 minutes,
                  open loop, RSS and p99 per second (bench/scenarios/soak.ts); the latest
                  chapter alone unless --chapters names others (an experiment as
                  tag+experiment), one round unless --runs; about 12 min a subject
                  (capacity search, warm-up, 10 min of soak)

Exit codes (cli/exit.ts): 0 done, 1 failed, 2 bad usage, 130 interrupted.

Measures every chapter of data/chapters.json (each at its recorded commit, in a git
worktree) with a real HTTP load generator, and records the results in SQLite.
Already measured chapter × scenario × settings on this machine are skipped.

Options:
  --chapters <tags>      comma-separated chapter tags, each with its experiments, or
                         tag+experiment for one experiment (default: all in
                         data/chapters.json)
  --scenario <names>     comma-separated, of: ${SCENARIO_NAMES.join(', ')}
                         (default: ${DEFAULT_SCENARIOS.join(',')}; each is described in bench/README.md)
  --runs <n>             measured runs (slices) per chapter and scenario, interleaved with
                         the reference's (default ${DEFAULTS.runs})
  --duration <s>         seconds per measured run (default ${DEFAULTS.durationSeconds})
  --connections <n>      concurrent connections (default ${DEFAULTS.connections}; sweep steps its own)
  --warmup <s>           warm-up seconds per chapter and scenario, not recorded (default ${DEFAULTS.warmupSeconds}; 0 = none)
  --settle <s>           hot, mix, close: unrecorded seconds of load before every measured run
                         (default ${DEFAULTS.settleSeconds}; 0 = none)
  --tool <name>          wrk | autocannon | oha (default wrk: apt-get install wrk)
  --threads <n>          wrk/oha worker threads (default ${DEFAULTS.threads})
  --pipeline <n>         hot, mix, hot-xN: requests sent at once on each connection (wrk;
                         default 1 = none): a lighter load for the generator; the requests
                         outstanding stay --connections (connections ÷ n sockets)
  --sweep-max-p99 <ms>   sweep: p99 limit of a healthy step (default ${DEFAULT_SWEEP_LIMITS.maxP99Ms})
  --sweep-max-errors <p> sweep: error-rate limit of a healthy step, 0..1 (default ${DEFAULT_SWEEP_LIMITS.maxErrorRate})
  --capacity <req/s>     overload, adaptive-ramp, scaling-ramp: the capacity their steps are
                         multiples of (default: measured first in each round, closed loop);
                         'objective': the highest offered rate meeting p99 ≤ 50 ms and ≤ 0.1%
                         errors, searched open loop in each round (soak: always)
  --no-pin               do not pin the servers and the load generator to separate CPUs
  --server-cpu-quota <f> run the servers under a cgroup CPU quota of f of one CPU (0 < f ≤ 1,
                         root): a smaller machine the open-loop generator can overload
  --force                re-measure even what is already measured
  --profile              after the measured rounds, one extra run per chapter and scenario
                         under node --cpu-prof (not a measurement); its top functions go to
                         the profiles table and the end-of-session report
  --list                 list the chapters and what is already measured, then exit
  --restore-tags         create chapter tags missing from this clone at the commits of
                         data/chapters.json (an existing tag is never moved), then exit
  --clean-iptables       remove the kernel-limit rules (iptables, comment perf-book:) left by a
                         bench that no longer runs, then exit (a bench also does it before it
                         adds its own)
  --export <dir>         write bencher.json and github-action-benchmark.json from the latest summaries
  --merge <files…>       add the sessions of other machines' database files to --db (never
                         mixing machines; merging a file twice adds nothing), then exit
  --db <path>            database file (default data/bench.sqlite)
  --repo <dir>           repository whose chapters to measure (default: this one)
  -h, --help             this text
`;

function list(raw: string): string[] {
  return raw.split(',').map((s) => s.trim()).filter(Boolean);
}

/** `--merge a.sqlite b.sqlite …`: the flag's value and the arguments after it. */
function mergeArguments(first: string | undefined, rest: string[], cwd: string): string[] | null {
  if (first === undefined) {
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    return null;
  }
  const files = [first, ...rest];
  if (files.some((file) => file === '' || file.startsWith('-'))) throw new UsageError('--merge: needs database files');
  return files.map((file) => resolve(cwd, file));
}

/** A verb named first becomes the older flag that names it, so one parser reads both spellings. */
function verbAsFlag(argv: string[]): string[] {
  const [first, ...rest] = argv;
  if (first === undefined || first.startsWith('-')) return argv;
  if (!(VERBS as readonly string[]).includes(first)) throw new UsageError(`unknown verb "${first}" (known: ${VERBS.join(', ')})`);
  return first === 'run' ? rest : [`--${first}`, ...rest];
}

function verbOf(v: { list?: boolean; merge?: string; 'restore-tags'?: boolean; 'clean-iptables'?: boolean; soak?: boolean }): Verb {
  const named = (['list', 'merge', 'restore-tags', 'clean-iptables', 'soak'] as const).filter((verb) => v[verb] !== undefined && v[verb] !== false);
  if (named.length > 1) throw new UsageError(`${named.join(' and ')} cannot be combined: name one verb`);
  return named[0] ?? 'run';
}

export function parseOptions(argv: string[], cwd = process.cwd()): BenchOptions {
  const parsed = parseFlags({
    args: verbAsFlag(argv),
    strict: true,
    allowPositionals: true, // only after --merge: its further files
    options: {
      chapters: { type: 'string' },
      scenario: { type: 'string' },
      scenarios: { type: 'string' },
      runs: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      warmup: { type: 'string' },
      settle: { type: 'string' },
      tool: { type: 'string' },
      threads: { type: 'string' },
      pipeline: { type: 'string' },
      'sweep-max-p99': { type: 'string' },
      'sweep-max-errors': { type: 'string' },
      capacity: { type: 'string' },
      force: { type: 'boolean' },
      profile: { type: 'boolean' },
      'no-pin': { type: 'boolean' },
      'server-cpu-quota': { type: 'string' },
      list: { type: 'boolean' },
      'restore-tags': { type: 'boolean' },
      'clean-iptables': { type: 'boolean' },
      soak: { type: 'boolean' },
      export: { type: 'string' },
      merge: { type: 'string' },
      db: { type: 'string' },
      repo: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const v = parsed.values;
  const repoDir = resolve(cwd, v.repo ?? '.');
  const scenarioRaw = v.scenario ?? v.scenarios;
  if (v.soak && scenarioRaw !== undefined) throw new UsageError('soak: measures the soak scenario only; --scenario does not apply');
  const scenarios = v.soak ? ['soak'] : scenarioRaw === undefined ? [...DEFAULT_SCENARIOS] : list(scenarioRaw);
  if (scenarios.length === 0) throw new UsageError('--scenario: name at least one scenario');
  for (const name of scenarios) {
    if (!(SCENARIO_NAMES as readonly string[]).includes(name)) throw new UsageError(`--scenario: unknown scenario "${name}" (known: ${SCENARIO_NAMES.join(', ')})`);
  }
  const tool = v.tool ?? DEFAULTS.tool;
  if (!(TOOLS as readonly string[]).includes(tool)) throw new UsageError(`--tool: unknown load generator "${tool}" (known: ${TOOLS.join(', ')})`);
  const chapters = v.chapters === undefined ? null : list(v.chapters);
  if (chapters !== null && chapters.length === 0) throw new UsageError('--chapters: name at least one chapter tag (or tag+experiment)');
  const maxErrorRate = numberFlag('--sweep-max-errors', v['sweep-max-errors'], { min: 0, max: 1, hint: 'a share', fallback: DEFAULT_SWEEP_LIMITS.maxErrorRate });
  if (v.export === '') throw new UsageError('--export: needs a directory');
  const merge = mergeArguments(v.merge, parsed.positionals, cwd);
  if (merge && (v.list || v['restore-tags'] || v.export !== undefined)) throw new UsageError('--merge: cannot be combined with --list, --restore-tags or --export');
  return {
    verb: verbOf(v),
    repoDir,
    dbPath: resolve(cwd, v.db ?? resolve(repoDir, 'data', 'bench.sqlite')),
    chapters: chapters ? [...new Set(chapters)] : null,
    withExperiments: !v.soak,
    scenarios: [...new Set(scenarios)],
    runs: numberFlag('--runs', v.runs, { integer: true, min: 1, fallback: v.soak ? 1 : DEFAULTS.runs }),
    durationSeconds: numberFlag('--duration', v.duration, { integer: true, min: 1, fallback: DEFAULTS.durationSeconds }),
    connections: numberFlag('--connections', v.connections, { integer: true, min: 1, fallback: DEFAULTS.connections }),
    warmupSeconds: numberFlag('--warmup', v.warmup, { ...SECONDS_OR_NONE, fallback: DEFAULTS.warmupSeconds }),
    settleSeconds: numberFlag('--settle', v.settle, { ...SECONDS_OR_NONE, fallback: DEFAULTS.settleSeconds }),
    tool: tool as ToolName,
    threads: numberFlag('--threads', v.threads, { integer: true, min: 1, fallback: DEFAULTS.threads }),
    pipeline: numberFlag('--pipeline', v.pipeline, { integer: true, min: 1, fallback: 1 }),
    force: v.force ?? false,
    list: v.list ?? false,
    restoreTags: v['restore-tags'] ?? false,
    cleanIptables: v['clean-iptables'] ?? false,
    exportDir: v.export === undefined ? null : resolve(cwd, v.export),
    merge,
    sweep: {
      maxErrorRate,
      maxP99Ms: numberFlag('--sweep-max-p99', v['sweep-max-p99'], { above: 0, fallback: DEFAULT_SWEEP_LIMITS.maxP99Ms }),
    },
    capacity: v.capacity === undefined ? null : v.capacity === 'objective' ? 'objective' : numberFlag('--capacity', v.capacity, { above: 0, hint: 'requests per second' }),
    toolNamed: v.tool !== undefined,
    pin: !(v['no-pin'] ?? false),
    serverCpuQuota: v['server-cpu-quota'] === undefined ? null : numberFlag('--server-cpu-quota', v['server-cpu-quota'], { above: 0, max: 1, hint: 'a share of one CPU, e.g. 0.2' }),
    profile: v.profile ?? false,
    help: v.help ?? false,
  };
}
