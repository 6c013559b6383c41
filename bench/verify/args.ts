/** Flags of `npm run verify` (pure). */
import { resolve } from 'node:path';
import { numberFlag, parseFlags, UsageError } from '../../cli/args.ts';

export interface VerifyOptions {
  repoDir: string;
  tags: string[] | null;
  /** How long to wait for a server to ingest sample answers 1–3 before that check fails (a hang guard). */
  ingestWaitSeconds: number;
}

export const DEFAULT_INGEST_WAIT_SECONDS = 20;

export function parseVerifyArgs(argv: string[]): VerifyOptions | 'help' {
  const { values, positionals } = parseFlags({
    args: argv,
    strict: true,
    allowPositionals: true, // the command
    options: { chapters: { type: 'string' }, repo: { type: 'string' }, 'ingest-wait': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return 'help';
  const [command, extra] = positionals;
  // `npm run verify`, or the older `npm run chapters -- verify`.
  if (command !== undefined && command !== 'verify') throw new UsageError(`unknown command "${command}" (the only one is verify)`);
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
  return {
    repoDir: resolve(values.repo ?? process.cwd()),
    tags: values.chapters === undefined ? null : values.chapters.split(',').map((t) => t.trim()).filter(Boolean),
    ingestWaitSeconds: numberFlag('--ingest-wait', values['ingest-wait'], { above: 0, fallback: DEFAULT_INGEST_WAIT_SECONDS }),
  };
}
