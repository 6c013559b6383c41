/**
 * The exit codes of every command of the project — `npm run bench -- run|list|merge|
 * restore-tags|clean-iptables`, `gate`, `cost`, `verify`, `profile`, `loadgen`, `overload`,
 * `trials` — one table, so a script or a CI step reads them all the same way:
 *
 *   0   done: measured, passed, printed
 *   1   failed: a measurement, check or comparison said no (a regression, a chapter that
 *       failed), or the work could not be done (a tool missing, a build or start failure,
 *       another bench holding the database)
 *   2   usage: the command line is wrong (an unknown flag, verb, chapter or scenario);
 *       nothing was started
 *   3   inconclusive: the gate's measurements decide neither way
 *   130 interrupted (Ctrl-C, SIGTERM): everything started is stopped, the database intact
 */
import { UsageError } from './args.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2, inconclusive: 3, interrupted: 130 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * Runs a command's main and sets the process's exit code from it. A UsageError is printed
 * as `name: message` with a pointer to --help (exit 2); any other error as `name: message`,
 * without a stack trace (exit 1).
 */
export async function runCommand(name: string, main: () => Promise<number> | number, stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  let code: number;
  try {
    code = await main();
  } catch (error) {
    if (error instanceof UsageError) {
      stderr.write(`${name}: ${error.message}\nRun with --help for the options.\n`);
      code = EXIT.usage;
    } else {
      stderr.write(`${name}: ${(error as Error).message}\n`);
      code = EXIT.failed;
    }
  }
  process.exitCode = code;
  return code;
}
