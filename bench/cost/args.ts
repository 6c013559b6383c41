/** Command-line flags of `npm run cost` (pure). */
import { numberFlag, parseFlags, UsageError } from '../../cli/args.ts';
import { DEFAULT_NODE_FLAGS } from './command.ts';

export type Layout = 'windows' | 'processes';

export interface CostCliOptions {
  ref: string;
  repo: string;
  scenario: 'hot' | 'mix';
  requests: number;
  reps: number;
  warmup: number;
  /** windows: the reps are windows of one server process; processes: one window in each of `reps` processes. */
  layout: Layout;
  nodeFlags: string[];
  readyTimeoutSeconds: number;
  json: boolean;
  /** Directory to keep the callgrind dumps in (one folder per process), or null. */
  keepDumps: string | null;
}

/** `--record`: every chapter (or --chapters) counted and stored in the database. */
export interface CostRecordOptions {
  record: true;
  chapters: string[] | null;
  scenarios: ('hot' | 'mix')[];
  db: string;
  repo: string;
  requests: number;
  reps: number;
  warmup: number;
  nodeFlags: string[];
  readyTimeoutSeconds: number;
  jobs: number;
  /** Filled in by the command (valgrind --version), not a flag. */
  valgrindVersion: string;
}

export const COST_DEFAULTS = { scenario: 'hot', requests: 200, reps: 4, warmup: 400, layout: 'windows', readyTimeoutSeconds: 300 } as const;

export const COST_HELP = `Usage: npm run cost -- --ref <commit-ish> [options]
       npm run cost -- --record [--chapters <tags>] [--scenario hot,mix] [--db <file>] [--jobs <n>]

Counts the instructions a chapter's server executes per request, under valgrind's
callgrind: the server is started through its chapter contract (server/chapter.json) against
the bench's simulated provider (frozen after its first answer); after warm-up requests,
each measured window zeroes the counters (callgrind_control -z), sends exactly N
sequential keep-alive requests and dumps the counters (callgrind_control -d). Node's start
runs uninstrumented (instrumentation is turned on once the server is ready) and is never
counted. Every answer must be a complete 200.
Every window starts from rest (a full garbage collection in every server process, no
background thread busy, the connection open) and is dumped only once the server is at rest
again, so it holds the thread-pool work its own requests caused. Timer work (libuv's timer
phase, fired by the wall clock) is measured apart, never in a request, and what an idle
second costs outside it is shown (an idle period with no request); garbage collection is counted as the process's average per request.

Options:
  --ref <commit-ish>    the chapter to measure (tag, branch or hash)               (required)
  --repo <dir>          repository holding it                                    (default .)
  --scenario hot|mix    hot: the one hot search; mix: the 64 seeded ranges       (default ${COST_DEFAULTS.scenario})
  --requests <n>        requests per measured window (N); every window (and the warm-up)
                        replays the scenario's first N paths, so all send the same requests                (default ${COST_DEFAULTS.requests})
  --reps <n>            measured windows, after one more measured and set aside (the first window
                        from rest still cost more: chapter 6, 5–12%)              (default ${COST_DEFAULTS.reps})
  --warmup <n>          uncounted requests before the first window; at least two windows' worth, so
                        that every answer has been seen twice (chapter 13 compresses it then)  (default ${COST_DEFAULTS.warmup})
  --layout <how>        windows: all windows in one server process; processes: a new
                        process (startup + warm-up) for each window              (default ${COST_DEFAULTS.layout})
  --node-flags="<f…>"   V8/node flags for the server (with "=", as they start with a dash; "" for none)
                        (default "${DEFAULT_NODE_FLAGS.join(' ')}")
  --ready-timeout <s>   how long the server may take to start under callgrind    (default ${COST_DEFAULTS.readyTimeoutSeconds})
  --json                print the measurement as JSON instead of text
  --keep-dumps <dir>    keep the callgrind dumps (<dir>/process-<n>/callgrind.out.<pid>.<k>: k = 1 the
                        idle period, then one per window) to compare windows with callgrind_annotate

Recording (--record): every chapter of data/chapters.json, and the bare node:http
reference serving the first counted chapter's hot answer (subject "reference"), is counted
for each scenario and stored in the benchmark database (table costs, view chapter_costs) as
one session of kind 'cost'; the windows of a chapter and scenario run in one server process.
  --record              count every chapter and the reference, and store the counts
  --chapters <tags>     comma-separated chapter tags, "reference" for the reference
                                                                          (default: all and the reference)
  --scenario <names>    with --record, comma-separated hot,mix            (default hot,mix)
  --db <file>           database file                                    (default data/bench.sqlite)
  --jobs <n>            servers counted at once (counts do not depend on load)  (default 2)
  --help                show this help
`;

/** The window counts both forms take: requests per window, windows, warm-up requests, start-up time. */
function windowCounts(values: { requests?: string; reps?: string; warmup?: string; 'ready-timeout'?: string }) {
  return {
    requests: numberFlag('--requests', values.requests, { integer: true, min: 1, fallback: COST_DEFAULTS.requests }),
    reps: numberFlag('--reps', values.reps, { integer: true, min: 1, fallback: COST_DEFAULTS.reps }),
    warmup: numberFlag('--warmup', values.warmup, { integer: true, min: 0, fallback: COST_DEFAULTS.warmup }),
    readyTimeoutSeconds: numberFlag('--ready-timeout', values['ready-timeout'], { integer: true, min: 1, fallback: COST_DEFAULTS.readyTimeoutSeconds }),
  };
}

/** Parses argv (without node and script); null when --help was asked for. */
export function parseCostArgs(argv: string[]): CostCliOptions | CostRecordOptions | null {
  const { values } = parseFlags({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      ref: { type: 'string' },
      repo: { type: 'string' },
      scenario: { type: 'string' },
      requests: { type: 'string' },
      reps: { type: 'string' },
      warmup: { type: 'string' },
      layout: { type: 'string' },
      'node-flags': { type: 'string' },
      'ready-timeout': { type: 'string' },
      json: { type: 'boolean' },
      'keep-dumps': { type: 'string' },
      record: { type: 'boolean' },
      chapters: { type: 'string' },
      db: { type: 'string' },
      jobs: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  const nodeFlagsOf = (raw: string | undefined): string[] => {
    const flags = raw === undefined ? [...DEFAULT_NODE_FLAGS] : raw.split(/\s+/).filter(Boolean);
    const bad = flags.find((flag) => !flag.startsWith('--'));
    if (bad !== undefined) throw new UsageError(`--node-flags takes node options such as --predictable, got "${bad}"`);
    return flags;
  };
  if (values.record) {
    if (values.ref) throw new UsageError('--record counts the chapters of data/chapters.json: use --chapters instead of --ref');
    if (values['keep-dumps'] !== undefined) throw new UsageError('--keep-dumps goes with --ref (one chapter)');
    const scenarios = (values.scenario ?? 'hot,mix').split(',').map((name) => name.trim());
    const unknown = scenarios.find((name) => name !== 'hot' && name !== 'mix');
    if (unknown !== undefined) throw new UsageError(`--scenario takes hot and/or mix, got "${unknown}"`);
    return {
      record: true,
      chapters: values.chapters ? values.chapters.split(',').map((tag) => tag.trim()).filter(Boolean) : null,
      scenarios: [...new Set(scenarios)] as ('hot' | 'mix')[],
      db: values.db ?? 'data/bench.sqlite',
      repo: values.repo ?? '.',
      ...windowCounts(values),
      nodeFlags: nodeFlagsOf(values['node-flags']),
      jobs: numberFlag('--jobs', values.jobs, { integer: true, min: 1, fallback: 2 }),
      valgrindVersion: '',
    };
  }
  for (const flag of ['chapters', 'db', 'jobs'] as const) if (values[flag] !== undefined) throw new UsageError(`--${flag} goes with --record`);
  if (!values.ref) throw new UsageError('--ref <commit-ish> is required (the chapter to measure, e.g. v1-baseline)');
  const scenario = values.scenario ?? COST_DEFAULTS.scenario;
  if (scenario !== 'hot' && scenario !== 'mix') throw new UsageError(`--scenario must be hot or mix, got "${scenario}"`);
  const layout = values.layout ?? COST_DEFAULTS.layout;
  if (layout !== 'windows' && layout !== 'processes') throw new UsageError(`--layout must be windows or processes, got "${layout}"`);
  const nodeFlags = nodeFlagsOf(values['node-flags']);
  return {
    ref: values.ref,
    repo: values.repo ?? '.',
    scenario,
    ...windowCounts(values),
    layout,
    nodeFlags,
    json: values.json ?? false,
    keepDumps: values['keep-dumps'] ?? null,
  };
}
