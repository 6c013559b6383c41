/**
 * `npm run profile -- try [TREE] [--seconds 3] [--connections 8] [--top 10]`: one profiled
 * load run of a built chapter tree (default: this checkout) outside the bench — its server
 * started as every verb starts one (bench/subject/subject.ts) under `node --cpu-prof`
 * against the bench's simulated feed, wrk on the hot search for a few seconds, SIGTERM,
 * and the table of the load window printed (bench/profile/run.ts). Nothing is stored.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { numberFlag, parseFlags, UsageError } from '../../cli/args.ts';
import { HOT_PATH } from '../scenarios/index.ts';
import { Cleanup } from '../subject/cleanup.ts';
import { readContract } from '../subject/contract.ts';
import { launchSubject } from '../subject/subject.ts';
import { formatProfiles, formatThreads } from './format.ts';
import { profiledRun } from './run.ts';
import { serverThreadSplit } from '../proc/cpu.ts';

export interface TryOptions {
  tree: string;
  seconds: number;
  connections: number;
  top: number;
}

export function parseTryArgs(argv: string[]): TryOptions {
  const parsed = parseFlags({ args: argv, allowPositionals: true, options: { seconds: { type: 'string' }, connections: { type: 'string' }, top: { type: 'string' } } });
  const positive = (name: string, value: string | undefined, fallback: number): number => numberFlag(`--${name}`, value, { integer: true, min: 1, fallback });
  if (parsed.positionals.length > 1) throw new UsageError('name at most one chapter tree');
  const { values } = parsed;
  return { tree: resolve(parsed.positionals[0] ?? '.'), seconds: positive('seconds', values.seconds, 3), connections: positive('connections', values.connections, 8), top: positive('top', values.top, 10) };
}

/** Resolves once the hot search answers with events (the first ingest is done). */
async function awaitData(url: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const body = await fetch(url).then((r) => r.text(), () => '');
    if (body.includes('"id"')) return;
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`${url} served no events within 60 s`);
}

/** wrk's own report and the profile table of its load window. */
export async function tryChapter(options: TryOptions): Promise<string> {
  const cleanup = new Cleanup();
  const tree = { commit: 'working-tree', path: options.tree, contract: readContract(options.tree) };
  let hotUrl = '';
  let wrkReport = '';
  let windowSeconds = 0;
  let pid = 0;
  try {
    const { rows, threads } = await profiledRun({
      treeDir: options.tree,
      top: options.top,
      start: async (profileDir) => {
        // Not frozen: the run waits for the first ingest itself.
        const launched = await launchSubject(tree, cleanup, { profileDir, freeze: false });
        hotUrl = launched.url + HOT_PATH;
        pid = launched.pid;
        return launched;
      },
      warmUp: () => awaitData(hotUrl),
      threads: () => serverThreadSplit(pid),
      load: async () => {
        const from = performance.now();
        const wrk = spawnSync('wrk', ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, hotUrl], { encoding: 'utf8' });
        windowSeconds = (performance.now() - from) / 1000;
        if (wrk.status !== 0) throw new Error(`wrk failed: ${wrk.error?.message ?? wrk.stderr}`);
        wrkReport = wrk.stdout;
      },
    });
    return `${wrkReport}\nCPU profile of the load window (${windowSeconds.toFixed(2)} s):\n\n${formatProfiles(rows)}\n${threads === null ? '' : `${formatThreads(threads)}\n`}`;
  } finally {
    await cleanup.run();
  }
}
