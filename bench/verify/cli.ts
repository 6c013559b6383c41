/**
 * `npm run verify [--chapters <tags>]`: every chapter of data/chapters.json built
 * at its commit and held to the API contract suite. Exit codes: 0 all pass, 1 a chapter
 * failed, 2 bad usage.
 */
import { join } from 'node:path';
import { UsageError } from '../../cli/args.ts';
import { DEFAULT_INGEST_WAIT_SECONDS, parseVerifyArgs, type VerifyOptions } from './args.ts';
import { readChapterList } from '../../db/chapters.ts';
import { passed, renderVerdicts, verifyChapters } from './verify.ts';

const HELP = `Usage: npm run verify [--chapters <tags>] [--repo <dir>] [--ingest-wait <s>]

Builds every chapter of data/chapters.json at its recorded commit (in a git worktree, with
the chapter contract's prepare and build), starts its server against the provider simulator
(sample answers 1-3) and runs the API contract suite against it. A check added with a later
chapter applies from that chapter on.

  --chapters <tags>   comma-separated chapter tags (default: all)
  --repo <dir>        repository root (default: the current directory)
  --ingest-wait <s>   how long a server may take to ingest sample answers 1-3 before that
                      check fails (default ${DEFAULT_INGEST_WAIT_SECONDS})
  -h, --help          this text
`;

async function main(argv: string[]): Promise<number> {
  let options: VerifyOptions | 'help';
  try {
    options = parseVerifyArgs(argv);
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
  const verdicts = await verifyChapters(options.repoDir, chapters, { log: (line) => process.stderr.write(`chapters: ${line}\n`), ingestWaitMs: options.ingestWaitSeconds * 1000 });
  process.stdout.write(`${renderVerdicts(verdicts)}\n`);
  return verdicts.every(passed) ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
