/**
 * `npm run bench` — see bench/README.md. Exit codes: 0 done, 1 failure (a chapter
 * could not be measured, a tool is missing, another bench runs), 2 bad flags,
 * 130 interrupted.
 */
import { join } from 'node:path';
import { readChapterList } from '../db/chapters.ts';
import { describeTagRestore, restoreChapterTags } from './git/tags.ts';
import { listMeasured } from './list.ts';
import { mergeFiles } from './merge.ts';
import { UsageError } from '../cli/args.ts';
import { HELP, parseOptions } from './options.ts';
import { runBench } from './session/session.ts';
import { cleanLeftoverRules } from './subject/connlimit.ts';

async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`bench: ${error.message}\nRun with --help for the options.\n`);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const chapterList = () => readChapterList(join(options.repoDir, 'data', 'chapters.json'));
  try {
    if (options.restoreTags) {
      const report = describeTagRestore(await restoreChapterTags(options.repoDir, chapterList()));
      process.stderr.write(report.text);
      return report.ok ? 0 : 1;
    }
    if (options.cleanIptables) {
      const report = await cleanLeftoverRules();
      process.stderr.write(report.length === 0 ? 'bench: no perf-book iptables rule left behind\n' : `${report.map((line) => `bench: ${line}`).join('\n')}\n`);
      return report.some((line) => line.startsWith('could not')) ? 1 : 0;
    }
    if (options.merge) {
      process.stdout.write(await mergeFiles(options.merge, options.dbPath, (message) => process.stderr.write(`bench: ${message}\n`)));
      return 0;
    }
    if (options.list) {
      process.stdout.write(await listMeasured(chapterList(), options));
      return 0;
    }
    return await runBench(options, { stdout: process.stdout, stderr: process.stderr });
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`bench: ${error.message}\nRun with --help for the options.\n`);
      return 2;
    }
    process.stderr.write(`bench: ${(error as Error).message}\n`);
    return 1;
  }
}

process.exit(await main());
