/**
 * `npx tsx bench/profile/try-chapter.ts [TREE] [--seconds 3] [--connections 8] [--top 10]`:
 * one profiled load run of a built chapter tree (default: this checkout) outside the
 * bench — its server under `node --cpu-prof` against the bench's simulated feed, wrk on
 * the hot search for a few seconds, SIGTERM, and the table of the load window printed.
 * Nothing is stored. Exit codes: 0 printed, 1 the run failed, 2 bad flags.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSimulator } from '../../simulator/index.ts';
import { choosePorts, expandStart, readContract } from '../subject/contract.ts';
import { FEED } from '../session/session.ts';
import { HOT_PATH } from '../scenarios/index.ts';
import { numberFlag, parseFlags, UsageError } from '../../cli/args.ts';
import { collectProfiles, monotonicMicros, stopProfiledServer, withCpuProfile } from './capture.ts';
import { formatProfiles } from './format.ts';
import { sourceMapLocator } from './locate.ts';
import { reduceProfiles } from './reduce.ts';

interface TryOptions {
  tree: string;
  seconds: number;
  connections: number;
  top: number;
}

function parseTryArgs(argv: string[]): TryOptions {
  const parsed = parseFlags({ args: argv, allowPositionals: true, options: { seconds: { type: 'string' }, connections: { type: 'string' }, top: { type: 'string' } } });
  const positive = (name: string, value: string | undefined, fallback: number): number => numberFlag(`--${name}`, value, { integer: true, min: 1, fallback });
  if (parsed.positionals.length > 1) throw new UsageError('name at most one chapter tree');
  const { values } = parsed;
  return { tree: resolve(parsed.positionals[0] ?? '.'), seconds: positive('seconds', values.seconds, 3), connections: positive('connections', values.connections, 8), top: positive('top', values.top, 10) };
}

/** Resolves once the hot search answers with events (the first ingest is done). */
async function awaitData(url: string, isAlive: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (!isAlive()) throw new Error('the server exited before it served the hot search');
    const body = await fetch(url).then((r) => r.text(), () => '');
    if (body.includes('"id"')) return;
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`${url} served no events within 60 s`);
}

async function tryChapter(options: TryOptions): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), 'profile-try-'));
  const simulator = await startSimulator({ ...FEED, port: 0 });
  try {
    const contract = readContract(options.tree);
    const { port, metricsPort } = await choosePorts(contract);
    const start = expandStart(contract.start, { port, metricsPort, providerUrl: simulator.url, dataDir: join(work, 'data') });
    const [program, ...args] = withCpuProfile(start, join(work, 'profiles'));
    const server = spawn(program, args, { cwd: options.tree, env: { ...process.env, ...contract.env }, stdio: 'ignore', detached: true });
    let alive = true;
    server.once('exit', () => (alive = false));
    const url = `http://127.0.0.1:${port}${HOT_PATH}`;
    try {
      await awaitData(url, () => alive);
      const fromUs = monotonicMicros();
      const wrk = spawnSync('wrk', ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, url], { encoding: 'utf8' });
      const toUs = monotonicMicros();
      if (wrk.status !== 0) throw new Error(`wrk failed: ${wrk.error?.message ?? wrk.stderr}`);
      await stopProfiledServer(server.pid!);
      const rows = reduceProfiles(collectProfiles(join(work, 'profiles')), sourceMapLocator(options.tree), options.top, { fromUs, toUs });
      return `${wrk.stdout}\nCPU profile of the load window (${((toUs - fromUs) / 1e6).toFixed(2)} s):\n\n${formatProfiles(rows)}\n`;
    } finally {
      if (alive) await stopProfiledServer(server.pid!).catch(() => {});
    }
  } finally {
    await simulator.close();
    rmSync(work, { recursive: true, force: true });
  }
}

try {
  process.stdout.write(await tryChapter(parseTryArgs(process.argv.slice(2))));
} catch (error) {
  process.stderr.write(`try-chapter: ${(error as Error).message}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
