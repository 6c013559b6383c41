/**
 * `npm run profile -- [reduce] <file.cpuprofile | dir>… [--top 15] [--root <dir>]`:
 * reduces the CPU profiles of one server (a directory stands for the profiles in it;
 * several files are its processes) and prints the table of top functions.
 * `npm run profile -- try [TREE]`: one profiled wrk run of a built tree (try-chapter.ts).
 * Exit codes (cli/exit.ts): 0 printed, 1 a profile could not be read or reduced or the run
 * failed, 2 bad flags.
 */
import { statSync } from 'node:fs';
import { EXIT, runCommand } from '../../cli/exit.ts';
import { HELP, parseProfileArgs, type ProfileCliOptions } from './args.ts';
import { profileFiles, readProfiles } from './capture.ts';
import { formatProfiles } from './format.ts';
import { sourceMapLocator } from './locate.ts';
import { reduceProfiles } from './reduce.ts';
import { parseTryArgs, tryChapter } from './try-chapter.ts';

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

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === 'try') {
    process.stdout.write(await tryChapter(parseTryArgs(rest)));
    return EXIT.ok;
  }
  const options = parseProfileArgs(verb === 'reduce' ? rest : argv);
  if (options === null) {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  const rows = reduceProfiles(readProfiles(expandPaths(options.paths)), sourceMapLocator(options.root), options.top);
  process.stdout.write(`${formatProfiles(rows)}\n`);
  return EXIT.ok;
}

await runCommand('profile', () => main(process.argv.slice(2)));
