// npm run overload -- --url http://127.0.0.1:PORT | --reference  --capacity N [--steps 0.5,1,2,3] [--step-seconds 5]
// Offers fixed arrival rates around a capacity and prints one line per second, then the steps.
import { pathToFileURL } from 'node:url';
import { numberFlag, parseFlags, UsageError } from '../../cli/args.ts';
import { DEFAULT_OPEN_LOOP_CONNECTIONS } from '../loadgen/open-loop.ts';
import { defaultBody } from '../loadgen/reference-body.ts';
import { assertLocalTarget } from '../loadgen/request.ts';
import { startReferenceServer } from '../reference/reference-server.ts';
import { DEFAULT_MULTIPLIERS, DEFAULT_STEP_SECONDS, overloadPlan } from './plan.ts';
import { SECOND_HEADER, formatRunSummary, formatSecond } from './format.ts';
import { runOverload, type OverloadOptions } from './run.ts';
import { runCommand } from '../../cli/exit.ts';

export const HELP = `Usage: npm run overload -- (--url http://127.0.0.1:PORT | --reference) --capacity N [options]

Open-loop overload: offers fixed arrival rates (capacity × each step), whatever the server
answers, and prints per second: offered, 2xx, 503/429, failed, p50/p99 of the served requests
(from their intended send time), in flight; then each step over its settled seconds.

  --url URL             base URL, 127.0.0.1 or localhost only
  --reference           instead of --url: start the bench's reference server (1 KiB JSON) for the run
  --capacity N          the server's capacity in req/s, e.g. from the sweep (required)
  --steps LIST          multipliers of capacity (default ${DEFAULT_MULTIPLIERS.join(',')})
  --step-seconds N      seconds per step (default ${DEFAULT_STEP_SECONDS})
  --settle-seconds N    first seconds of each step left out of its summary (default min(3, half a step))
  --path PATH           request path, repeatable: requests cycle through them (default /)
  --connections N       most sockets open at once (default ${DEFAULT_OPEN_LOOP_CONNECTIONS})
  --timeout SECONDS     per-request timeout (default 10)
  --json                print the whole run as JSON instead of tables
  --help
`;

export interface OverloadCliOptions { url: string | null; paths: string[]; capacity: number; options: OverloadOptions; json: boolean; help: boolean }

export function parseOverloadArgs(argv: string[]): OverloadCliOptions {
  const { values } = parseFlags({
    args: argv, allowPositionals: false, strict: true,
    options: {
      url: { type: 'string' }, capacity: { type: 'string' }, steps: { type: 'string' }, 'step-seconds': { type: 'string' },
      'settle-seconds': { type: 'string' }, path: { type: 'string', multiple: true }, connections: { type: 'string' },
      timeout: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' }, reference: { type: 'boolean' },
    },
  });
  const help = values.help === true;
  if (help) return { url: null, paths: [], capacity: 0, options: {}, json: false, help };
  const reference = values.reference === true;
  if (reference === (values.url !== undefined)) throw new UsageError('give either --url (e.g. --url http://127.0.0.1:8080) or --reference');
  if (values.capacity === undefined) throw new UsageError('--capacity is required: the server\'s capacity in req/s');
  const options: OverloadOptions = {};
  if (values.steps !== undefined) options.multipliers = values.steps.split(',').map((step) => numberFlag('--steps', step, { above: 0 }));
  if (values['step-seconds'] !== undefined) options.stepSeconds = numberFlag('--step-seconds', values['step-seconds'], { integer: true, min: 1 });
  if (values['settle-seconds'] !== undefined) options.settleSeconds = numberFlag('--settle-seconds', values['settle-seconds'], { integer: true, min: 0 });
  if (values.connections !== undefined) options.connections = numberFlag('--connections', values.connections, { integer: true, min: 1 });
  if (values.timeout !== undefined) options.timeoutSeconds = numberFlag('--timeout', values.timeout, { above: 0 });
  const capacity = numberFlag('--capacity', values.capacity, { above: 0 });
  try {
    if (values.url !== undefined) assertLocalTarget(values.url);
    overloadPlan({ ...options, capacity }); // a bad step or settle combination is a usage error, before any load
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return { url: values.url ?? null, paths: values.path ?? ['/'], capacity, options, json: values.json === true, help };
}

export async function main(
  argv: string[],
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  err: (text: string) => void = (text) => process.stderr.write(text),
): Promise<number> {
  let cli: OverloadCliOptions;
  try {
    cli = parseOverloadArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err(`overload: ${error.message}\n\n${HELP}`);
    return 2;
  }
  if (cli.help) {
    out(HELP.trimEnd());
    return 0;
  }
  const reference = cli.url === null ? await startReferenceServer(defaultBody(), { 'content-type': 'application/json' }) : null;
  try {
    const url = cli.url ?? reference?.url ?? '';
    if (reference) out(`reference server ${url}`);
    if (!cli.json) out(SECOND_HEADER);
    const run = await runOverload(url, cli.paths, cli.capacity, cli.options, cli.json ? undefined : (second) => out(formatSecond(second)));
    out(cli.json ? JSON.stringify(run, null, 2) : formatRunSummary(run));
    return run.ok && run.generator.generatorKeptUp ? 0 : 1;
  } finally {
    await reference?.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runCommand('overload', () => main(process.argv.slice(2)));
}
