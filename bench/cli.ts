/**
 * `npm run bench -- [run] | list | merge <files…> | restore-tags | clean-iptables | edition | withdraw | comparison-kind` — see
 * bench/README.md. One entry, one module per verb; exit codes as every command's
 * (cli/exit.ts): 0 done, 1 failure (a chapter could not be measured, a tool is missing,
 * another bench runs), 2 bad usage, 130 interrupted.
 */
import { join } from 'node:path';
import { readChapterList, type Chapter } from '../db/chapters.ts';
import { UsageError } from '../cli/args.ts';
import { EXIT, runCommand } from '../cli/exit.ts';
import { describeTagRestore, restoreChapterTags } from './git/tags.ts';
import { listMeasured } from './list.ts';
import { mergeFiles } from './merge.ts';
import { HELP, parseOptions, type BenchOptions, type Verb } from './options.ts';
import { runBench } from './session/session.ts';
import { cleanLeftoverRules } from './subject/connlimit.ts';

const chapterList = (options: BenchOptions) => readChapterList(join(options.repoDir, 'data', 'chapters.json'));

/** The soak's subjects: those named, else the latest chapter (the one a reader runs). */
function soakChapters(options: BenchOptions): string[] {
  if (options.chapters !== null) return options.chapters;
  const latest = chapterList(options).reduce<Chapter | undefined>((last, c) => (last === undefined || c.number > last.number ? c : last), undefined);
  if (latest === undefined) throw new UsageError('soak: data/chapters.json lists no chapter');
  return [latest.tag];
}

const VERB: Record<Verb, (options: BenchOptions) => Promise<number>> = {
  run: (options) => runBench(options, { stdout: process.stdout, stderr: process.stderr }),
  soak: (options) => runBench({ ...options, chapters: soakChapters(options) }, { stdout: process.stdout, stderr: process.stderr }),
  async list(options) {
    process.stdout.write(await listMeasured(chapterList(options), options));
    return EXIT.ok;
  },
  async merge(options) {
    process.stdout.write(await mergeFiles(options.merge!, options.dbPath, (message) => process.stderr.write(`bench: ${message}\n`)));
    return EXIT.ok;
  },
  async 'restore-tags'(options) {
    const report = describeTagRestore(await restoreChapterTags(options.repoDir, chapterList(options)));
    process.stderr.write(report.text);
    return report.ok ? EXIT.ok : EXIT.failed;
  },
  async 'clean-iptables'() {
    const report = await cleanLeftoverRules();
    process.stderr.write(report.length === 0 ? 'bench: no perf-book iptables rule left behind\n' : `${report.map((line) => `bench: ${line}`).join('\n')}\n`);
    return report.some((line) => line.startsWith('could not')) ? EXIT.failed : EXIT.ok;
  },
};

async function edition(argv: string[]): Promise<number> {
  const { EDITION_HELP, parseEditionOptions } = await import('./edition/options.ts');
  const options = parseEditionOptions(argv);
  if (options.help) {
    process.stdout.write(EDITION_HELP);
    return EXIT.ok;
  }
  const { runEdition } = await import('./edition/run.ts');
  return runEdition(options, { stdout: process.stdout, stderr: process.stderr });
}

async function withdraw(argv: string[]): Promise<number> {
  const { WITHDRAW_HELP, parseWithdrawOptions, withdrawSession } = await import('./withdraw.ts');
  const options = parseWithdrawOptions(argv);
  process.stdout.write(options.help ? WITHDRAW_HELP : await withdrawSession(options));
  return EXIT.ok;
}

async function comparisonKindVerb(argv: string[]): Promise<number> {
  const { COMPARISON_KIND_HELP, parseComparisonKindOptions, comparisonKind } = await import('./comparison-kind.ts');
  const options = parseComparisonKindOptions(argv);
  process.stdout.write(options.help ? COMPARISON_KIND_HELP : await comparisonKind(options));
  return EXIT.ok;
}

process.exit(
  await runCommand('bench', () => {
    // `edition` has flags of its own (bench/edition/options.ts); loaded only when named, so the other verbs start as fast as before.
    if (process.argv[2] === 'edition') return edition(process.argv.slice(3));
    if (process.argv[2] === 'withdraw') return withdraw(process.argv.slice(3));
    if (process.argv[2] === 'comparison-kind') return comparisonKindVerb(process.argv.slice(3));
    const options = parseOptions(process.argv.slice(2));
    if (options.help) {
      process.stdout.write(HELP);
      return EXIT.ok;
    }
    return VERB[options.verb](options);
  }),
);
