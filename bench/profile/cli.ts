/**
 * `npx tsx bench/profile/cli.ts <file.cpuprofile | dir>… [--top 15] [--root <dir>]`:
 * reduces the CPU profiles of one server (a directory stands for the profiles in it;
 * several files are its processes) and prints the table of top functions. Exit codes:
 * 0 printed, 1 a profile could not be read or reduced, 2 bad flags.
 */
import { statSync } from 'node:fs';
import { UsageError } from '../../cli/args.ts';
import { HELP, parseProfileArgs, type ProfileCliOptions } from './args.ts';
import { profileFiles, readProfiles } from './capture.ts';
import { formatProfiles } from './format.ts';
import { sourceMapLocator } from './locate.ts';
import { reduceProfiles } from './reduce.ts';

/** The files named: a directory's .cpuprofile files, a file as it is. */
function expandPaths(paths: string[]): string[] {
  return paths.flatMap((path) => {
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      // Not there: readProfiles names it.
    }
    if (!isDir) return [path];
    const files = profileFiles(path);
    if (files.length === 0) throw new Error(`${path}: no .cpuprofile files in this directory`);
    return files;
  });
}

function main(argv: string[]): number {
  let options: ProfileCliOptions | null;
  try {
    options = parseProfileArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`profile: ${error.message}\nRun with --help for the flags.\n`);
    return 2;
  }
  if (options === null) {
    process.stdout.write(HELP);
    return 0;
  }
  try {
    const profiles = readProfiles(expandPaths(options.paths));
    const rows = reduceProfiles(profiles, sourceMapLocator(options.root), options.top);
    process.stdout.write(`${formatProfiles(rows)}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`profile: ${(error as Error).message}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
