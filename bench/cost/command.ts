/**
 * The chapter's start command, wrapped to run under callgrind (pure).
 *
 * Valgrind follows the server's children (`--trace-children=yes`): a server that forks
 * workers (node:cluster) writes one output file per process, `callgrind.out.<pid>`, and
 * the measurement sums them. Node's V8 flags that make a run repeatable are inserted right
 * after `node` — they cannot go through NODE_OPTIONS, which refuses most V8 flags.
 */
import { basename, join } from 'node:path';

/**
 * V8 made as deterministic as it can be. `--jitless` (the interpreter only, no code
 * generated at run time) is what removed the spread: with the JIT, TurboFan compilations,
 * deoptimisations and lazy recompilations keep landing in some windows and not others
 * (chapter 1: ±5% between 200-request windows); without it, windows agree within 0.1%.
 * The count is therefore the interpreter's cost of a request — every change in the work a
 * request does shows in it, but not a change that only helps optimised code.
 * See bench/cost/README.md for the spread each set of flags gave.
 */
export const DEFAULT_NODE_FLAGS: readonly string[] = [
  '--predictable',
  '--hash-seed=1',
  '--random-seed=1',
  '--predictable-gc-schedule',
  '--single-threaded',
  '--jitless',
  // A large first old generation: no full (mark-compact) GC lands in a measured window.
  '--initial-old-space-size=256',
];

export interface CallgrindWrap {
  /** Directory for the callgrind output files (one per process and dump) and valgrind's logs. */
  outDir: string;
  nodeFlags: readonly string[];
}

export function valgrindArgs(outDir: string): string[] {
  return [
    '--tool=callgrind',
    `--callgrind-out-file=${join(outDir, 'callgrind.out.%p')}`,
    `--log-file=${join(outDir, 'valgrind.%p.log')}`,
    '--trace-children=yes',
    // Node's start runs uninstrumented: 2.9 s instead of 8.4 s for a bare http server (AMD
    // EPYC). measure.ts turns instrumentation on once the server is ready, before any window.
    '--instr-atstart=no',
    // callgrind_control talks to the process through vgdb (the default --vgdb=yes).
    '--vgdb=yes',
  ];
}

const isNode = (program: string) => ['node', 'nodejs'].includes(basename(program)) || program === process.execPath;

/**
 * `valgrind <callgrind flags> <start…>` with the node flags after `node`. A start
 * command that does not run node itself (npm, a shell script) cannot take the flags:
 * that is an error unless no flags were asked for.
 */
export function wrapStartCommand(start: readonly string[], wrap: CallgrindWrap): string[] {
  if (start.length === 0) throw new Error('the start command is empty');
  const [program, ...args] = start;
  if (wrap.nodeFlags.length > 0 && !isNode(program)) {
    throw new Error(`the start command runs \`${program}\`, not node, so the node flags ${wrap.nodeFlags.join(' ')} cannot be applied; pass --node-flags "" to measure without them`);
  }
  const command = wrap.nodeFlags.length > 0 ? [program, ...wrap.nodeFlags, ...args] : [program, ...args];
  return ['valgrind', ...valgrindArgs(wrap.outDir), ...command];
}
