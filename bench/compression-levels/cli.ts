/**
 * `npm run compression-levels -- --ref <commit-ish>`: what each gzip level and brotli quality
 * does to a chapter's hot answer — its size on the wire, the ratio to the identity body, and
 * the CPU time one compression takes (this thread's user + system time, process.cpuUsage,
 * over --reps compressions; the median of --rounds rounds). The hot answer is fetched from the
 * chapter started natively against the bench's feed, exactly as the load generators ask for it.
 * A chapter that compresses chooses its levels from this table (chapter 15). Sizes are exact;
 * CPU times move with the machine's load, so compare them within one run.
 * `--capture` also keeps the printed table in the benchmark database (demo_outputs, bench/capture.ts),
 * where a page shows it with `@demo:name="compression-levels <ref>"` (chapter 15).
 * Exit codes (cli/exit.ts): 0 printed, 1 failed, 2 bad flags.
 */
import { join, resolve } from 'node:path';
import { numberFlag, parseFlags, UsageError } from '../../cli/args.ts';
import { EXIT, runCommand } from '../../cli/exit.ts';
import { hotAnswerOf } from '../cost/subject.ts';
import { resolveCommit } from '../git/commit.ts';
import { Cleanup } from '../subject/cleanup.ts';
import { prepareSubjectTree } from '../subject/subject.ts';
import { levelTable, type LevelRow } from './levels.ts';
import { provenanceOf, storeCapture } from '../capture.ts';
import { machineInfo } from '../machine/fingerprint.ts';
import { harnessState } from '../provenance.ts';

const HELP = `Usage: npm run compression-levels -- --ref <commit-ish> [--reps 20] [--rounds 5] [--json] [--capture]

Fetches the chapter's hot answer and compresses it at every gzip level (1-9) and brotli
quality (1-11): bytes, ratio to identity, CPU ms per compression (median of the rounds).

Options:
  --ref <commit-ish>   the chapter whose hot answer is compressed          (default HEAD)
  --repo <dir>         repository holding it                               (default .)
  --reps <n>           compressions per round                              (default 20)
  --rounds <n>         rounds; the CPU time is their median                (default 5)
  --json               print the rows as JSON
  --capture            also keep the table in the database (demo_outputs), named
                       "compression-levels <ref>", for a page's @demo; a capture of
                       the same name is replaced
  --db <file>          database file for --capture        (default <repo>/data/bench.sqlite)
  --help               show this help
`;

function render(label: string, identityBytes: number, rows: LevelRow[]): string {
  const lines = [`${label}: hot answer ${identityBytes} bytes (identity)`, '| coding | level | bytes | × smaller | CPU ms per compression |', '|---|---:|---:|---:|---:|'];
  for (const row of rows) lines.push(`| ${row.coding} | ${row.level} | ${row.bytes} | ${row.ratio.toFixed(2)} | ${row.cpuMs.toFixed(3)} |`);
  return `${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: { ref: { type: 'string' }, repo: { type: 'string' }, reps: { type: 'string' }, rounds: { type: 'string' }, json: { type: 'boolean' }, capture: { type: 'boolean' }, db: { type: 'string' }, help: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  const ref = values.ref ?? 'HEAD';
  const reps = numberFlag('--reps', values.reps, { integer: true, min: 1, fallback: 20 });
  const rounds = numberFlag('--rounds', values.rounds, { integer: true, min: 1, fallback: 5 });
  const repo = resolve(values.repo ?? '.');
  if (values.db !== undefined && !values.capture) throw new UsageError('--db is where --capture writes: give --capture too');
  const dbPath = resolve(values.db ?? join(repo, 'data', 'bench.sqlite'));
  const commit = await resolveCommit(repo, ref);
  if (commit === null) throw new UsageError(`--ref ${ref} is not a commit in ${repo}`);
  const cleanup = new Cleanup();
  const interrupt = () => void cleanup.run().then(() => process.exit(EXIT.interrupted));
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  let body: Buffer;
  try {
    const tree = await prepareSubjectTree(repo, commit, cleanup, { onLog: (line) => process.stderr.write(`compression-levels: ${line}\n`) });
    body = (await hotAnswerOf(tree, cleanup)).body;
  } finally {
    for (const failure of await cleanup.run()) process.stderr.write(`compression-levels: cleanup: ${failure}\n`);
  }
  const rows = levelTable(body, reps, rounds);
  const table = render(`${ref} (${commit.slice(0, 12)})`, body.length, rows);
  process.stdout.write(values.json ? `${JSON.stringify({ ref, commit, identityBytes: body.length, reps, rounds, rows }, null, 2)}\n` : table);
  if (values.capture) {
    const capturedAt = new Date().toISOString();
    const capture = {
      name: `compression-levels ${ref}`, title: `Every gzip level and brotli quality on ${ref}'s hot answer`,
      command: `npm run compression-levels -- --ref ${ref} --reps ${reps} --rounds ${rounds}`, output: table.trimEnd(),
    };
    const number = await storeCapture(dbPath, capture, provenanceOf(machineInfo(), await harnessState(), capturedAt), capturedAt, (line) => process.stderr.write(`compression-levels: ${line}\n`));
    process.stderr.write(`compression-levels: captured as demo ${number} ("${capture.name}") in ${dbPath}\n`);
  }
  return EXIT.ok;
}

await runCommand('compression-levels', () => main(process.argv.slice(2)));
