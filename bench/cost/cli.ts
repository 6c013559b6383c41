/**
 * `npm run cost -- --ref <commit-ish>`: a chapter's instructions per request under
 * callgrind. Exit codes (cli/exit.ts): 0 measured, 1 failed (unknown ref, failed start, a
 * request that was not a complete 200, no valgrind), 2 bad flags, 130 interrupted.
 * Progress on stderr.
 */
import { resolve } from 'node:path';
import { Cleanup } from '../subject/cleanup.ts';
import { resolveCommit } from '../git/commit.ts';
import { scenario as scenarioOf } from '../scenarios/index.ts';
import { execFileSync } from 'node:child_process';
import { UsageError } from '../../cli/args.ts';
import { EXIT } from '../../cli/exit.ts';
import { COST_HELP, parseCostArgs, type CostCliOptions } from './args.ts';
import { recordCosts } from './record.ts';
import { measureCost, windowPaths } from './measure.ts';
import { renderCost } from './report.ts';
import { chapterSubject, prepareCommitTree } from './subject.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);

async function measure(options: CostCliOptions, cleanup: Cleanup): Promise<string> {
  const repo = resolve(options.repo);
  const commit = await resolveCommit(repo, options.ref);
  if (commit === null) throw new Error(`--ref ${options.ref} is not a commit in ${repo}`);
  const tree = await prepareCommitTree(repo, commit, cleanup, (line) => log(`cost: ${line}`));
  const perProcess = options.layout === 'windows' ? options.reps : 1;
  const { paths, requests } = windowPaths(scenarioOf(options.scenario).paths, options.requests);
  if (requests !== options.requests) log(`cost: ${requests} requests per window instead of ${options.requests}: a whole number of cycles through the ${paths.length} paths of ${options.scenario}`);
  const measurement = await measureCost(
    chapterSubject(tree, cleanup),
    {
      paths,
      requests,
      warmupRequests: options.warmup,
      processes: options.reps / perProcess,
      windowsPerProcess: perProcess,
      nodeFlags: options.nodeFlags,
      readyTimeoutMs: options.readyTimeoutSeconds * 1000,
      ...(options.keepDumps !== null ? { keepDumps: resolve(options.keepDumps) } : {}),
    },
    log,
  );
  const label = `${options.ref} (${commit.slice(0, 12)})`;
  return options.json ? `${JSON.stringify({ ref: options.ref, commit, scenario: options.scenario, layout: options.layout, ...measurement }, null, 2)}\n` : renderCost(label, options.scenario, measurement);
}

function valgrindVersion(): string {
  try {
    return execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('valgrind is not installed (Debian/Ubuntu: apt-get install valgrind)');
  }
}

async function main(argv: string[]): Promise<number> {
  let options: ReturnType<typeof parseCostArgs>;
  try {
    options = parseCostArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    log(`cost: ${error.message}\nRun with --help for the flags.`);
    return EXIT.usage;
  }
  if (options === null) {
    process.stdout.write(COST_HELP);
    return 0;
  }
  const cleanup = new Cleanup();
  const interrupt = (signal: NodeJS.Signals) => {
    log(`cost: ${signal}: stopping the server and removing the worktree`);
    void cleanup.run().then(() => process.exit(EXIT.interrupted));
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  try {
    if ('record' in options) {
      options.valgrindVersion = valgrindVersion();
      await recordCosts(options, cleanup, log);
      for (const failure of await cleanup.run()) log(`cost: cleanup: ${failure}`);
      log(`cost: stored in ${options.db} (view chapter_costs)`);
      return 0;
    }
    const output = await measure(options, cleanup);
    for (const failure of await cleanup.run()) log(`cost: cleanup: ${failure}`);
    process.stdout.write(output);
    return 0;
  } catch (error) {
    if (cleanup.started) await new Promise(() => {}); // interrupted: the handler exits
    for (const failure of await cleanup.run()) log(`cost: cleanup: ${failure}`);
    log(`cost: error: ${(error as Error).message}`);
    return EXIT.failed;
  }
}

process.exitCode = await main(process.argv.slice(2));
