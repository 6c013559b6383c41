/**
 * CLI of the provider simulator:
 *   tsx simulator/cli.ts --mode samples|generated [--seed N] [--port P] [faults…]
 * Prints one JSON line with the URL on stdout once listening; stops on SIGINT/SIGTERM.
 */
import { defaultBulkFeedOptions } from './bulk.ts';
import { startSimulator, type Faults, type SimulatorOptions } from './server.ts';

const HELP = `Usage: tsx simulator/cli.ts [options]

Simulated event provider: GET <url>/api/events answers planList XML.

Feed:
  --mode samples|generated   samples: planlist-1,2,3.xml in sequence, then the last forever
                             generated: a seeded feed that changes between answers (default samples)
  --variant current|legacy   element/attribute naming (default current)
  --seed <n>                 PRNG seed of the generated feed and of fault draws (default 1)
  --base-plans <n>           generated: base plans in the initial universe (default 40)
  --plans-per-base <n>       generated: plans per base plan (default 3)
  --years <n>                generated: plans start within n years from 2021 (default 3)
  --growth <n>               generated: extra base plans appearing with every answer (default 0)
  --bulk-bytes <n>           generated: serve large documents of at least n bytes (bulk.ts; e.g. 15000000)
  --bulk-variants <n>        with --bulk-bytes: distinct documents served in turn (default 2)
Faults:
  --latency <ms|min-max>     delay before each answer, e.g. 200 or 200-4000
  --fail-rate <p>            probability of 503 with an empty body (1 = always)
  --truncate-rate <p>        probability of a 200 answer cut in half
  --hang-rate <p>            probability of never answering
  --oversize-bytes <n>       pad every answer to n bytes
  --flaky                    the live provider's manners: --latency 200-4000 --fail-rate 0.33 --truncate-rate 0.05
Server:
  --host <h>                 (default 127.0.0.1)
  --port <p>                 (default 0 = any free port)
  -h, --help
`;

const VALUE_FLAGS = ['--mode', '--variant', '--seed', '--base-plans', '--plans-per-base', '--years', '--growth', '--bulk-bytes', '--bulk-variants', '--host', '--port', '--latency', '--fail-rate', '--truncate-rate', '--hang-rate', '--oversize-bytes'];

function fail(message: string): never {
  process.stderr.write(`simulator: ${message}\nRun with --help for the options.\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): SimulatorOptions {
  const options: SimulatorOptions = {};
  const faults: Faults = {};
  const number = (flag: string, raw: string, min = 0, max = Number.MAX_SAFE_INTEGER): number => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max) fail(`${flag}: "${raw}" is not a number in [${min}, ${max}]`);
    return n;
  };
  const integer = (flag: string, raw: string, min = 0): number => {
    const n = number(flag, raw, min);
    if (!Number.isInteger(n)) fail(`${flag}: "${raw}" is not an integer`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      process.stdout.write(HELP);
      process.exit(0);
    }
    if (arg === '--flaky') {
      Object.assign(faults, { latencyMs: [200, 4000], failRate: 0.33, truncateRate: 0.05 });
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (!VALUE_FLAGS.includes(flag)) fail(flag.startsWith('--') ? `unknown option "${flag}"` : `unexpected argument "${arg}"`);
    if (value === undefined) fail(`${flag} needs a value`);
    switch (flag) {
      case '--mode':
        if (value !== 'samples' && value !== 'generated') fail(`--mode: expected samples or generated, got "${value}"`);
        options.mode = value;
        break;
      case '--variant':
        if (value !== 'current' && value !== 'legacy') fail(`--variant: expected current or legacy, got "${value}"`);
        options.variant = value;
        break;
      case '--seed': options.seed = integer(flag, value); break;
      case '--base-plans': options.basePlans = integer(flag, value); break;
      case '--plans-per-base': options.plansPerBase = integer(flag, value); break;
      case '--years': options.years = integer(flag, value, 1); break;
      case '--growth': options.growthPerAnswer = integer(flag, value); break;
      case '--bulk-bytes': options.bulk = { ...defaultBulkFeedOptions, ...options.bulk, targetBytes: integer(flag, value, 1) }; break;
      case '--bulk-variants': options.bulk = { ...defaultBulkFeedOptions, ...options.bulk, variants: integer(flag, value, 1) }; break;
      case '--host': options.host = value; break;
      case '--port': options.port = integer(flag, value); break;
      case '--latency': {
        const m = /^(\d+)(?:-(\d+))?$/.exec(value);
        if (!m || (m[2] !== undefined && +m[2] < +m[1])) fail(`--latency: expected <ms> or <min>-<max>, got "${value}"`);
        faults.latencyMs = m[2] === undefined ? +m[1] : [+m[1], +m[2]];
        break;
      }
      case '--fail-rate': faults.failRate = number(flag, value, 0, 1); break;
      case '--truncate-rate': faults.truncateRate = number(flag, value, 0, 1); break;
      case '--hang-rate': faults.hangRate = number(flag, value, 0, 1); break;
      case '--oversize-bytes': faults.oversizeBytes = integer(flag, value, 1); break;
      default: fail(`unknown option "${flag}"`);
    }
  }
  if (options.bulk && options.mode !== 'generated') fail('--bulk-bytes/--bulk-variants need --mode generated');
  options.faults = faults;
  return options;
}

const options = parseArgs(process.argv.slice(2));
const simulator = await startSimulator(options);
process.stdout.write(JSON.stringify({ msg: 'simulator.listening', url: simulator.url, mode: options.mode ?? 'samples' }) + '\n');
const stop = (): void => {
  void simulator.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
