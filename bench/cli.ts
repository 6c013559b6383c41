/**
 * `npm run bench -- [run] | list | merge <files…> | restore-tags | clean-iptables` — see
 * bench/README.md. One entry, one module per verb; exit codes as every command's
 * (cli/exit.ts): 0 done, 1 failure (a chapter could not be measured, a tool is missing,
 * another bench runs), 2 bad usage, 130 interrupted.
 */
import { join } from 'node:path';
import { readChapterList } from '../db/chapters.ts';
import { EXIT, runCommand } from '../cli/exit.ts';
import { describeTagRestore, restoreChapterTags } from './git/tags.ts';
import { listMeasured } from './list.ts';
import { mergeFiles } from './merge.ts';
import { HELP, parseOptions, type BenchOptions, type Verb } from './options.ts';
import { runBench } from './session/session.ts';
import { cleanLeftoverRules } from './subject/connlimit.ts';

const chapterList = (options: BenchOptions) => readChapterList(join(options.repoDir, 'data', 'chapters.json'));

const VERB: Record<Verb, (options: BenchOptions) => Promise<number>> = {
  run: (options) => runBench(options, { stdout: process.stdout, stderr: process.stderr }),
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

process.exit(
  await runCommand('bench', () => {
    const options = parseOptions(process.argv.slice(2));
    if (options.help) {
      process.stdout.write(HELP);
      return EXIT.ok;
    }
    return VERB[options.verb](options);
  }),
);
