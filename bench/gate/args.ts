/** Command-line flags of `npm run gate`, parsed and checked (pure: no I/O). */
import { numberFlag, parseFlags, UsageError } from '../../cli/args.ts';
import { COST_RULE, MIN_PAIRS } from './verdict.ts';

export interface GateCliOptions {
  base: string;
  head: string;
  threshold: number;
  pairs: number;
  durationSeconds: number;
  connections: number;
  warmupSeconds: number;
  tool: string;
  /** The repository holding both refs. */
  repo: string;
  /** Request path to load; default: the bench's `hot` scenario. */
  path: string | null;
  report: string | null;
  summary: boolean;
  /** Pin the servers and the load generator to disjoint CPUs (default true; --no-pin). */
  pin?: boolean;
  /** Requests per measured callgrind window; 0 = no instruction count (throughput only). */
  costRequests: number;
  /** Counted callgrind windows per side (the first window from rest is measured before them and set aside). */
  costWindows: number;
}


export const DEFAULTS = {
  threshold: 0.1,
  pairs: 6,
  durationSeconds: 5,
  connections: 16,
  warmupSeconds: 3,
  tool: 'wrk',
  /** Requests per callgrind window: 200, as the recorded costs (bench/cost), so one GC or timer leftover moves a window of the current server (≈ 0.3 M instructions a request) by well under the 1% noise bound (README, Why these bounds). */
  costRequests: 200,
  /** Windows per side: its floor is the lowest, confirmed by the next lowest (verdict.ts floorOf); 3 until 2026-12-06. */
  costWindows: 5,
  /** Warm-up requests per server before the callgrind windows, as a multiple of --cost-requests. */
  costWarmupWindows: 2,
} as const;

export const HELP = `Usage: npm run gate -- --base <ref> --head <ref> [options]

Compares the throughput of two commits on this machine: both trees are prepared with
the chapter contract (server/chapter.json), both servers are started against one provider
simulator, and short load runs alternate between them (ABBA order). Each head run is divided
by the base's requests per second at that moment (between the base runs before and after it);
the median of those ratios, with its distribution-free 95% interval, is the throughput ratio.

Options:
  --base <ref>          the reference commit (branch, tag or hash)           (required)
  --head <ref>          the commit under test                                 (required)
  --threshold <frac>    tolerated slowdown, as a fraction                     (default ${DEFAULTS.threshold})
  --pairs <n>           number of base/head run pairs, at least ${MIN_PAIRS}             (default ${DEFAULTS.pairs})
  --duration <s>        seconds per run                                       (default ${DEFAULTS.durationSeconds})
  --connections <n>     concurrent connections per run                        (default ${DEFAULTS.connections})
  --warmup <s>          warm-up seconds per server before the pairs, 0 = none (default ${DEFAULTS.warmupSeconds})
  --tool <name>         load generator: wrk, autocannon or oha                (default ${DEFAULTS.tool})
  --path <path>         request path to load                    (default: the bench's hot search)
  --cost-requests <n>   requests per callgrind window of the instruction count;
                        0 = throughput only                                   (default ${DEFAULTS.costRequests})
  --cost-windows <n>    counted callgrind windows per side, at least 2        (default ${DEFAULTS.costWindows})
  --repo <dir>          repository holding both refs                          (default: .)
  --report <file>       also write the Markdown report to this file
  --no-pin              do not pin the servers and the load generator to separate CPUs
  --summary             append the report to $GITHUB_STEP_SUMMARY when it is set
  --help                show this help

Where valgrind is installed, both servers' instructions per request are also counted under
callgrind (--cost-windows windows of --cost-requests after ${DEFAULTS.costWarmupWindows} × --cost-requests warm-up requests):
the exact signal.

Verdict and exit code (limit = 1 − threshold; see bench/gate/README.md):
  0  pass          instructions within +${COST_RULE.fail * 100}% (a rise above +${COST_RULE.report * 100}% is reported) and the throughput
                   estimate at or above the limit, or without a usable count, the lower bound of the
                   throughput interval at or above the limit
  1  fail          instructions more than +${COST_RULE.fail * 100}% per request (windows steady, or every head window
                   above every base window by more than that), or the whole throughput interval
                   below the limit (what instructions cannot see: system calls, waiting)
  3  inconclusive  the throughput interval straddles the limit and either no usable instruction
                   count exists or the throughput estimate is below the limit (never excused)
  2  error         bad flags, unknown refs, a tree that fails to build or start, a failed run
  130 interrupted  Ctrl-C / SIGTERM (servers stopped, worktrees removed)
`;

/** Parses argv (without node and script); returns null when --help was asked for. */
export function parseGateArgs(argv: string[]): GateCliOptions | null {
  const { values } = parseFlags({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      base: { type: 'string' },
      head: { type: 'string' },
      threshold: { type: 'string' },
      pairs: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      warmup: { type: 'string' },
      tool: { type: 'string' },
      path: { type: 'string' },
      repo: { type: 'string' },
      report: { type: 'string' },
      summary: { type: 'boolean' },
      'no-pin': { type: 'boolean' },
      'cost-requests': { type: 'string' },
      'cost-windows': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  if (!values.base) throw new UsageError('--base <ref> is required (the commit to compare against)');
  if (!values.head) throw new UsageError('--head <ref> is required (the commit under test)');
  const options: GateCliOptions = {
    base: values.base,
    head: values.head,
    threshold: numberFlag('--threshold', values.threshold, { above: 0, below: 1, hint: 'a fraction, e.g. 0.10 for 10%', fallback: DEFAULTS.threshold }),
    pairs: numberFlag('--pairs', values.pairs, { integer: true, min: MIN_PAIRS, hint: 'the fewest with a distribution-free 95% interval', fallback: DEFAULTS.pairs }),
    durationSeconds: numberFlag('--duration', values.duration, { integer: true, min: 1, hint: 'seconds', fallback: DEFAULTS.durationSeconds }),
    connections: numberFlag('--connections', values.connections, { integer: true, min: 1, fallback: DEFAULTS.connections }),
    warmupSeconds: numberFlag('--warmup', values.warmup, { integer: true, min: 0, hint: 'seconds, 0 = none', fallback: DEFAULTS.warmupSeconds }),
    tool: values.tool ?? DEFAULTS.tool,
    repo: values.repo ?? '.',
    path: values.path ?? null,
    report: values.report ?? null,
    summary: values.summary ?? false,
    costRequests: numberFlag('--cost-requests', values['cost-requests'], { integer: true, min: 0, hint: 'requests, 0 = throughput only', fallback: DEFAULTS.costRequests }),
    // Two: a side's floor is its lowest window confirmed by the next lowest (verdict.ts floorOf).
    costWindows: numberFlag('--cost-windows', values['cost-windows'], { integer: true, min: 2, hint: 'the lowest window is confirmed by the next lowest', fallback: DEFAULTS.costWindows }),
  };
  if (values['no-pin']) options.pin = false;
  if (!['autocannon', 'wrk', 'oha'].includes(options.tool)) {
    throw new UsageError(`--tool must be one of autocannon, wrk, oha, got "${options.tool}"`);
  }
  if (options.path !== null && !options.path.startsWith('/')) throw new UsageError(`--path must start with "/", got "${options.path}"`);
  return options;
}
