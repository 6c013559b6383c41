/**
 * Flags of `npm run bench -- edition` (pure). A bad flag is a UsageError (exit 2).
 */
import { resolve } from 'node:path';
import { numberFlag, parseFlags, SECONDS_OR_NONE, UsageError } from '../../cli/args.ts';
import { TOOLS, type ToolName } from '../options.ts';
import { EDITION_DEFAULTS, type EditionSettings } from './plan.ts';

export interface EditionOptions {
  repoDir: string;
  dbPath: string;
  bookDir: string;
  /** Only these chapters (their experiments included) / scenarios of what the book cites: a partial edition, never the cited one. */
  chapters: string[] | null;
  scenarios: string[] | null;
  settings: EditionSettings;
  tool: ToolName;
  pin: boolean;
  /** Count instructions (callgrind) where no earlier edition counted the same server tree. */
  cost: boolean;
  dryRun: boolean;
  /** Continue this edition's session: what it completed is kept, the rest measured. */
  resume: number | null;
  help: boolean;
}

export const EDITION_HELP = `Usage: npm run bench -- edition [options]

Measures everything the book cites (read from the directives under book/) in one session at
one harness commit: every chapter and experiment on every scenario a page queries (hot, mix
and close with sequential stopping against the reference), overload on the whole core,
each ramp repeated, and the callgrind cost where the server's code has not been counted.
Prints the plan and its estimated time first. Ctrl-C keeps every completed subject and
prints the command that resumes.

Options:
  --dry-run              print the plan and its time, measure nothing
  --resume <session>     continue an interrupted edition (same harness commit and machine)
  --chapters <tags>      only these chapters (a partial edition: marked so, never cited)
  --scenarios <names>    only these scenarios (likewise partial)
  --slice <s>            seconds of a measured slice (default ${EDITION_DEFAULTS.sliceSeconds})
  --settle <s>           unrecorded seconds before each slice (default ${EDITION_DEFAULTS.settleSeconds})
  --warmup <s>           warm-up seconds per subject and scenario (default ${EDITION_DEFAULTS.warmupSeconds})
  --min-rounds <n>       rounds before a subject may stop (default ${EDITION_DEFAULTS.minRounds})
  --max-rounds <n>       rounds at most (default ${EDITION_DEFAULTS.maxRounds})
  --half-width <share>   stop once the 95% interval is within ± this (default ${EDITION_DEFAULTS.halfWidth})
  --reference-every <n>  a reference slice before every n subject slices (default ${EDITION_DEFAULTS.referenceEvery})
  --budget <time>        wall-time budget, e.g. 30m, 45m, 1h30m, 1800s or none (default
                         ${EDITION_DEFAULTS.budgetSeconds === null ? 'none' : `${EDITION_DEFAULTS.budgetSeconds / 60}m`}): the counts, open-loop parts and every subject's minimum
                         of rounds first; the rest is spent on rounds where the 95% intervals
                         are widest. A minimum beyond the budget is said before anything starts
  --ramp-repeats <n>     rounds of adaptive-ramp and scaling-ramp (default ${EDITION_DEFAULTS.rampRepeats})
  --step <s>             seconds of each overload step (default ${EDITION_DEFAULTS.overloadStepSeconds})
  --pipeline <n>         requests per write on each keep-alive connection, hot, mix, hot-xN
                         (wrk; default ${EDITION_DEFAULTS.pipeline}; 1 = none)
  --no-cost              no callgrind counts (the edition is then partial)
  --tool <name>          load generator (default wrk)
  --no-pin               do not pin servers and load generator apart
  --db <path>            database file (default data/bench.sqlite)
  --repo <dir>           repository whose chapters to measure (default: this one)
  --book <dir>           the book whose directives say what to measure (default <repo>/book)
  -h, --help             this text
`;

/** A duration such as 30m, 45m, 1h30m, 90s or 1800 (seconds); `none` for no budget. */
export function parseBudget(raw: string): number | null {
  const text = raw.trim().toLowerCase();
  if (text === 'none') return null;
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$/.exec(text);
  const seconds = match ? Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0) : 0;
  if (!match || text === '' || !(seconds > 0)) throw new UsageError(`--budget: "${raw}" is not a duration (e.g. 30m, 45m, 1h30m, 1800s, or none)`);
  return seconds;
}

const list = (raw: string) => raw.split(',').map((s) => s.trim()).filter(Boolean);

export function parseEditionOptions(argv: string[], cwd = process.cwd()): EditionOptions {
  const { values: v } = parseFlags({
    args: argv,
    strict: true,
    options: {
      'dry-run': { type: 'boolean' }, resume: { type: 'string' }, chapters: { type: 'string' }, scenarios: { type: 'string' }, scenario: { type: 'string' },
      slice: { type: 'string' }, settle: { type: 'string' }, warmup: { type: 'string' }, 'min-rounds': { type: 'string' }, 'max-rounds': { type: 'string' },
      'half-width': { type: 'string' }, 'reference-every': { type: 'string' }, 'ramp-repeats': { type: 'string' }, budget: { type: 'string' }, step: { type: 'string' }, pipeline: { type: 'string' },
      'no-cost': { type: 'boolean' }, tool: { type: 'string' }, 'no-pin': { type: 'boolean' }, db: { type: 'string' }, repo: { type: 'string' }, book: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const d = EDITION_DEFAULTS;
  const int = (flag: string, raw: string | undefined, fallback: number, min = 1) => numberFlag(flag, raw, { integer: true, min, fallback });
  // Unrecorded load may last a fraction of a second (wrk is interrupted: bench/loadgen/wrk.ts).
  const seconds = (flag: string, raw: string | undefined, fallback: number) => numberFlag(flag, raw, { ...SECONDS_OR_NONE, fallback });
  const minRounds = int('--min-rounds', v['min-rounds'], d.minRounds);
  const maxRounds = int('--max-rounds', v['max-rounds'], Math.max(d.maxRounds, minRounds));
  if (maxRounds < minRounds) throw new UsageError(`--max-rounds (${maxRounds}) must be at least --min-rounds (${minRounds})`);
  const tool = v.tool ?? 'wrk';
  if (!(TOOLS as readonly string[]).includes(tool)) throw new UsageError(`--tool: unknown load generator "${tool}" (known: ${TOOLS.join(', ')})`);
  const chapters = v.chapters === undefined ? null : list(v.chapters);
  const scenarioRaw = v.scenarios ?? v.scenario;
  const scenarios = scenarioRaw === undefined ? null : list(scenarioRaw);
  if (chapters?.length === 0) throw new UsageError('--chapters: name at least one chapter tag');
  if (scenarios?.length === 0) throw new UsageError('--scenarios: name at least one scenario');
  const repoDir = resolve(cwd, v.repo ?? '.');
  return {
    repoDir,
    dbPath: resolve(cwd, v.db ?? resolve(repoDir, 'data', 'bench.sqlite')),
    bookDir: resolve(cwd, v.book ?? resolve(repoDir, 'book')),
    chapters,
    scenarios,
    settings: {
      sliceSeconds: int('--slice', v.slice, d.sliceSeconds),
      settleSeconds: seconds('--settle', v.settle, d.settleSeconds),
      warmupSeconds: seconds('--warmup', v.warmup, d.warmupSeconds),
      minRounds,
      maxRounds,
      halfWidth: numberFlag('--half-width', v['half-width'], { above: 0, below: 1, hint: 'a share, e.g. 0.03', fallback: d.halfWidth }),
      referenceEvery: int('--reference-every', v['reference-every'], d.referenceEvery),
      rampRepeats: int('--ramp-repeats', v['ramp-repeats'], d.rampRepeats),
      ingestRounds: d.ingestRounds,
      overloadStepSeconds: int('--step', v.step, d.overloadStepSeconds),
      connections: d.connections,
      pipeline: int('--pipeline', v.pipeline, d.pipeline),
      budgetSeconds: v.budget === undefined ? d.budgetSeconds : parseBudget(v.budget),
    },
    tool: tool as ToolName,
    pin: !(v['no-pin'] ?? false),
    cost: !(v['no-cost'] ?? false),
    dryRun: v['dry-run'] ?? false,
    resume: v.resume === undefined ? null : numberFlag('--resume', v.resume, { integer: true, min: 1, hint: 'a session id' }),
    help: v.help ?? false,
  };
}
