/**
 * `npm run gate -- --base <ref> --head <ref>`: the regression gate. Exit codes (cli/exit.ts):
 * 0 pass, 1 fail (a regression, or an error: unknown refs, build/start/run failures),
 * 2 bad flags, 3 inconclusive, 130 interrupted. Progress goes to stderr, the Markdown report to stdout.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { UsageError } from '../../cli/args.ts';
import { HELP, parseGateArgs, type GateCliOptions } from './args.ts';
import { Cleanup } from '../subject/cleanup.ts';
import { renderGateError, renderGateReport } from './report.ts';
import { runGate } from './run.ts';
import { EXIT_CODE } from './verdict.ts';
import { EXIT } from '../../cli/exit.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

function publish(markdown: string, options: GateCliOptions): void {
  process.stdout.write(`${markdown}\n`);
  if (options.report) {
    const file = resolve(options.report);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${markdown}\n`);
    log(`gate: report written to ${file}`);
  }
  if (options.summary) {
    const summary = process.env.GITHUB_STEP_SUMMARY;
    if (summary) appendFileSync(summary, `${markdown}\n`);
    else log('gate: --summary: GITHUB_STEP_SUMMARY is not set (not on GitHub Actions), nothing appended');
  }
}

async function main(argv: string[]): Promise<number> {
  let options: GateCliOptions | null;
  try {
    options = parseGateArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      log(`gate: ${error.message}\nRun with --help for the flags.`);
      return EXIT.usage;
    }
    throw error;
  }
  if (options === null) {
    process.stdout.write(HELP);
    return EXIT_CODE.pass;
  }

  const cleanup = new Cleanup();
  let interrupted = false;
  const interrupt = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    interrupted = true;
    log(`gate: ${signal}: stopping the servers and removing the worktrees`);
    void cleanup.run().then((failures) => {
      for (const failure of failures) log(`gate: cleanup: ${failure}`);
      process.exit(EXIT.interrupted);
    });
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);

  const started = performance.now();
  try {
    const result = await runGate(options, cleanup, log);
    for (const failure of await cleanup.run()) log(`gate: cleanup: ${failure}`);
    publish(renderGateReport(result), options);
    const { verdict } = result.decision;
    const instructions = result.decision.cost ? `, head/base instructions per request ${result.decision.cost.ratio.toFixed(4)}` : '';
    log(`gate: ${verdict.toUpperCase()} (decided by ${result.decision.decidedBy}): head/base throughput ${result.throughput.ratio.toFixed(3)} (95% CI ${result.throughput.low.toFixed(3)}–${result.throughput.high.toFixed(3)}), limit ${result.decision.limit.toFixed(3)}${instructions}; ${((performance.now() - started) / 1000).toFixed(0)} s`);
    return EXIT_CODE[verdict];
  } catch (error) {
    if (interrupted) {
      // The signal handler finishes the cleanup and exits 130; nothing to report.
      await new Promise(() => {});
    }
    for (const failure of await cleanup.run()) log(`gate: cleanup: ${failure}`);
    const message = (error as Error).message;
    log(`gate: error: ${message}`);
    publish(renderGateError(options.base, options.head, message), { ...options });
    return EXIT_CODE.error;
  }
}

process.exitCode = await main(process.argv.slice(2));
