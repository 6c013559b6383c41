/** Flags of `bench/profile/cli.ts` (see HELP). */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export class UsageError extends Error {}

export const HELP = `Usage: npx tsx bench/profile/cli.ts <file.cpuprofile | dir>… [--top N] [--root DIR]

Reduces V8 CPU profiles (node --cpu-prof) of one server to its top functions by self
time. Several files (or a directory of them) are the server's processes: each gets a
table, and a merged one labelled 'all' comes first.

  --top N     functions listed before the rest is summed (default 15)
  --root DIR  the tree the server ran from; its files are shown relative to it (default .)
  --help      this text
`;

export interface ProfileCliOptions {
  paths: string[];
  top: number;
  root: string;
}

/** The CLI's flags; null for --help. */
export function parseProfileArgs(argv: string[]): ProfileCliOptions | null {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { top: { type: 'string' }, root: { type: 'string' }, help: { type: 'boolean' } } });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return null;
  if (positionals.length === 0) throw new UsageError('name at least one .cpuprofile file or a directory holding them');
  const top = values.top === undefined ? 15 : Number(values.top);
  if (!/^\d+$/.test(values.top ?? '15') || top < 1) throw new UsageError(`--top must be a positive integer, got ${JSON.stringify(values.top)}`);
  return { paths: positionals, top, root: resolve(values.root ?? '.') };
}
