/** Flags of `npm run profile` (see HELP). */
import { resolve } from 'node:path';
import { numberFlag, parseFlags, UsageError } from '../../cli/args.ts';

export const HELP = `Usage: npm run profile -- [reduce] <file.cpuprofile | dir>… [--top N] [--root DIR]
       npm run profile -- try [TREE] [--seconds 3] [--connections 8] [--top 10]

reduce (the default): reduces V8 CPU profiles (node --cpu-prof) of one server to its top functions by self
time. Several files (or a directory of them) are the server's processes: each gets a
table, and a merged one labelled 'all' comes first.

  --top N     functions listed before the rest is summed (default 15)
  --root DIR  the tree the server ran from; its files are shown relative to it (default .)
  --help      this text

try: one profiled wrk run of a built chapter tree (default: this checkout) against the
bench's simulated feed; prints wrk's report and the table of the load window. Nothing is
stored.
`;

export interface ProfileCliOptions {
  paths: string[];
  top: number;
  root: string;
}

/** The CLI's flags; null for --help. */
export function parseProfileArgs(argv: string[]): ProfileCliOptions | null {
  const { values, positionals } = parseFlags({ args: argv, allowPositionals: true, options: { top: { type: 'string' }, root: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) return null;
  if (positionals.length === 0) throw new UsageError('name at least one .cpuprofile file or a directory holding them');
  const top = numberFlag('--top', values.top, { integer: true, min: 1, fallback: 15 });
  return { paths: positionals, top, root: resolve(values.root ?? '.') };
}
