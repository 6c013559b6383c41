/**
 * `npm run chapters -- verify [--chapters <tags>]`: every chapter of data/chapters.json built
 * at its commit and held to the API contract suite. Exit codes: 0 all pass, 1 a chapter
 * failed, 2 bad usage.
 */
import { join, resolve } from 'node:path';
import { readChapterList } from '../../db/chapters.ts';
import { passed, renderVerdicts, verifyChapters } from './verify.ts';

class UsageError extends Error {}

const HELP = `Usage: npm run chapters -- verify [--chapters <tags>] [--repo <dir>]

Builds every chapter of data/chapters.json at its recorded commit (in a git worktree, with
the chapter contract's prepare and build), starts its server against the provider simulator
(sample answers 1-3) and runs the API contract suite against it. A check added with a later
chapter applies from that chapter on.

  --chapters <tags>   comma-separated chapter tags (default: all)
  --repo <dir>        repository root (default: the current directory)
  -h, --help          this text
`;

interface VerifyOptions {
  repoDir: string;
  tags: string[] | null;
}

function parseArgs(argv: readonly string[]): VerifyOptions | 'help' {
  if (argv.includes('--help') || argv.includes('-h')) return 'help';
  const [command, ...rest] = argv;
  if (command !== 'verify') throw new UsageError(command === undefined ? 'missing command: verify' : `unknown command "${command}" (the only one is verify)`);
  const options: VerifyOptions = { repoDir: process.cwd(), tags: null };
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i];
    const value = rest[i + 1];
    if (flag !== '--chapters' && flag !== '--repo') throw new UsageError(`unknown flag "${flag}"`);
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    i++;
    if (flag === '--repo') options.repoDir = resolve(value);
    else options.tags = value.split(',').map((t) => t.trim()).filter(Boolean);
  }
  return options;
}

async function main(argv: string[]): Promise<number> {
  let options: VerifyOptions | 'help';
  try {
    options = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`chapters: ${error.message}\nRun with --help for the usage.\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const all = readChapterList(join(options.repoDir, 'data', 'chapters.json'));
  const unknown = (options.tags ?? []).filter((tag) => !all.some((c) => c.tag === tag));
  if (unknown.length > 0) {
    process.stderr.write(`chapters: --chapters: unknown tag(s) ${unknown.join(', ')} (known: ${all.map((c) => c.tag).join(', ')})\n`);
    return 2;
  }
  const chapters = options.tags ? all.filter((c) => options.tags!.includes(c.tag)) : all;
  const verdicts = await verifyChapters(options.repoDir, chapters, { log: (line) => process.stderr.write(`chapters: ${line}\n`) });
  process.stdout.write(`${renderVerdicts(verdicts)}\n`);
  return verdicts.every(passed) ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
