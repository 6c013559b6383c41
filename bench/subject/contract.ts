/**
 * The chapter contract (`server/chapter.json` in every chapter's tree): how to
 * prepare (install), build and start that chapter's server, and how to know it is
 * ready. The bench only ever talks to a chapter through this file, so old chapters
 * keep working however the server's build changes.
 *
 * Installs are cached by a hash of what determines them (lockfile, server manifest,
 * the prepare command, Node's ABI and platform): the first chapter with a given
 * lockfile runs `prepare` and its `node_modules` directories are moved into
 * `<cacheDir>/<hash>/`; later trees get symlinks to them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { groupGone, stopProfiledServer, withCpuProfile } from './cpu-profile.ts';
import { pausable, type Pausable } from './pause.ts';
import { choosePorts } from './ports.ts';

export { assertPortFree, choosePorts, freePort } from './ports.ts';

export interface ChapterContract {
  contract: 1;
  prepare: string[];
  build: string[];
  start: string[];
  ready: { path: string; status: number };
  env: Record<string, string>;
  /** Chapter 7 on: the server's Prometheus metrics, on the side port the bench passes as `{metricsPort}`. */
  metrics?: { path: string };
}

export const CONTRACT_FILE = join('server', 'chapter.json');

/** Validates a parsed contract; `where` names the file in errors. */
export function parseContract(value: unknown, where: string): ChapterContract {
  const c = value as Record<string, unknown> | null;
  if (typeof c !== 'object' || c === null || Array.isArray(c)) throw new Error(`${where}: expected a JSON object`);
  if (c.contract !== 1) throw new Error(`${where}: "contract" must be 1 (this bench understands contract version 1)`);
  const commandOf = (key: 'prepare' | 'build' | 'start', allowEmpty: boolean): string[] => {
    const v = c[key];
    if (!Array.isArray(v) || v.some((part) => typeof part !== 'string')) throw new Error(`${where}: "${key}" must be an array of strings (a command and its arguments)`);
    if (!allowEmpty && v.length === 0) throw new Error(`${where}: "${key}" must not be empty`);
    return v as string[];
  };
  const ready = c.ready as Record<string, unknown> | undefined;
  if (typeof ready !== 'object' || ready === null || typeof ready.path !== 'string' || !ready.path.startsWith('/') || !Number.isInteger(ready.status)) {
    throw new Error(`${where}: "ready" must be {"path": "/…", "status": <integer>}`);
  }
  const env = c.env ?? {};
  if (typeof env !== 'object' || env === null || Array.isArray(env) || Object.values(env).some((v) => typeof v !== 'string')) {
    throw new Error(`${where}: "env" must be an object of strings`);
  }
  const start = commandOf('start', false);
  if (!start.some((part) => part.includes('{port}'))) throw new Error(`${where}: "start" must pass the {port} placeholder to the server`);
  const metrics = parseMetrics(c.metrics, start, where);
  return {
    contract: 1,
    prepare: commandOf('prepare', true),
    build: commandOf('build', true),
    start,
    ready: { path: ready.path, status: ready.status as number },
    env: env as Record<string, string>,
    ...(metrics ? { metrics } : {}),
  };
}

/** The optional `"metrics"`: a path, and the start command must pass `{metricsPort}` (and only then). */
function parseMetrics(value: unknown, start: string[], where: string): { path: string } | undefined {
  const passesPort = start.some((part) => part.includes('{metricsPort}'));
  if (value === undefined) {
    if (passesPort) throw new Error(`${where}: "start" passes {metricsPort} but there is no "metrics": {"path": "/…"} to say where the metrics are`);
    return undefined;
  }
  const m = value as Record<string, unknown> | null;
  if (typeof m !== 'object' || m === null || typeof m.path !== 'string' || !m.path.startsWith('/')) throw new Error(`${where}: "metrics" must be {"path": "/…"}`);
  if (!passesPort) throw new Error(`${where}: "metrics" is set but "start" does not pass the {metricsPort} placeholder to the server`);
  return { path: m.path };
}

/** Reads `server/chapter.json` of a tree; a readable error if missing or invalid. */
export function readContract(treeDir: string): ChapterContract {
  const file = join(treeDir, CONTRACT_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`${file} is missing: this tree does not follow the chapter contract`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  return parseContract(parsed, file);
}

/** Directories the install produces and the cache keeps: the root's and each top-level package's node_modules. */
function installDirs(treeDir: string): string[] {
  const dirs: string[] = [];
  if (existsSync(join(treeDir, 'node_modules'))) dirs.push('node_modules');
  for (const entry of readdirSync(treeDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const nested = join(entry.name, 'node_modules');
    if (existsSync(join(treeDir, nested)) && !lstatSync(join(treeDir, nested)).isSymbolicLink()) dirs.push(nested);
  }
  return dirs;
}

/** The install cache key: what decides the content of node_modules. */
export function installHash(treeDir: string, contract: ChapterContract): string {
  const hash = createHash('sha256');
  for (const file of ['package-lock.json', 'package.json', join('server', 'package.json'), join('server', 'package-lock.json')]) {
    const path = join(treeDir, file);
    hash.update(`\0${file}\0`);
    if (existsSync(path)) hash.update(readFileSync(path));
  }
  hash.update(`\0prepare\0${JSON.stringify(contract.prepare)}`);
  hash.update(`\0node\0${process.versions.modules}\0${process.platform}\0${process.arch}`);
  return hash.digest('hex').slice(0, 24);
}

export interface PrepareResult {
  installSeconds: number;
  buildSeconds: number;
  cacheHit: boolean;
}

/** Install (cached by lockfile hash), then build. Throws with the failing command's output tail. */
export async function prepareTree(
  treeDir: string,
  contract: ChapterContract,
  options: { cacheDir: string; onLog?: (line: string) => void },
): Promise<PrepareResult> {
  const log = options.onLog ?? (() => {});
  const installStarted = performance.now();
  const key = installHash(treeDir, contract);
  const entry = join(resolve(options.cacheDir), key);
  const manifest = join(entry, 'installed.json');
  let cacheHit = false;
  if (existsSync(manifest)) {
    const dirs = (JSON.parse(readFileSync(manifest, 'utf8')) as { dirs: string[] }).dirs;
    for (const dir of dirs) {
      rmSync(join(treeDir, dir), { recursive: true, force: true });
      symlinkSync(join(entry, dir), join(treeDir, dir), 'dir');
    }
    cacheHit = true;
    log(`install: cache hit ${key}`);
  } else if (contract.prepare.length > 0) {
    log(`install: ${contract.prepare.join(' ')}`);
    await runCommand(contract.prepare, treeDir, { ...contract.env }, log, 'prepare');
    // Move the fresh install into the cache (a temp dir renamed into place, so a
    // half-written entry is never taken for a complete one), then link it back.
    const dirs = installDirs(treeDir);
    const staging = `${entry}.${process.pid}.tmp`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    for (const dir of dirs) {
      mkdirSync(join(staging, dir, '..'), { recursive: true });
      renameSync(join(treeDir, dir), join(staging, dir));
    }
    writeFileSync(join(staging, 'installed.json'), JSON.stringify({ dirs, prepare: contract.prepare }));
    if (existsSync(entry)) rmSync(staging, { recursive: true, force: true });
    else renameSync(staging, entry);
    for (const dir of dirs) symlinkSync(join(entry, dir), join(treeDir, dir), 'dir');
  }
  const installSeconds = (performance.now() - installStarted) / 1000;
  const buildStarted = performance.now();
  if (contract.build.length > 0) {
    log(`build: ${contract.build.join(' ')}`);
    await runCommand(contract.build, treeDir, { ...contract.env }, log, 'build');
  }
  return { installSeconds, buildSeconds: (performance.now() - buildStarted) / 1000, cacheHit };
}

/** Keeps the last `limit` characters of a stream. */
class Tail {
  private text = '';
  constructor(private readonly limit = 4000) {}
  push(chunk: Buffer | string): void {
    this.text = (this.text + chunk.toString()).slice(-this.limit);
  }
  toString(): string {
    return this.text.trim();
  }
}

/** prepare/build commands still running, so an interrupted bench can stop them. */
const liveCommands = new Set<ChildProcess>();

/** Stops every prepare/build command still running (SIGTERM to its process group). */
export function stopRunningCommands(): void {
  for (const child of liveCommands) {
    if (child.pid === undefined) continue;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
}

/** Runs a contract command to completion; rejects with its output tail when it fails. */
function runCommand(command: string[], cwd: string, env: Record<string, string>, log: (line: string) => void, what: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const [file, ...args] = command;
    // Own process group, so stopping it also stops what it spawned (npm → node → esbuild).
    const child = spawn(file, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    liveCommands.add(child);
    const tail = new Tail();
    const onData = (chunk: Buffer) => {
      tail.push(chunk);
      for (const line of chunk.toString().split('\n')) if (line.trim()) log(`  ${line}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (error) => {
      liveCommands.delete(child);
      reject(new Error(`${what} command ${command.join(' ')} could not start: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      liveCommands.delete(child);
      if (code === 0) resolvePromise();
      else reject(new Error(`${what} command \`${command.join(' ')}\` failed (${signal ?? `exit ${code}`}) in ${cwd}:\n${tail}`));
    });
  });
}

/** A running server; paused (SIGSTOP to its process group, pause.ts) between its slices, continued by its stop. */
export interface RunningServer extends Pausable {
  url: string;
  port: number;
  /** The Prometheus metrics URL on the side port (contract `"metrics"`), null when the chapter has none. */
  metricsUrl: string | null;
  pid: number;
  stop(): Promise<void>;
  stderrTail(): string;
}

/** What the placeholders of a start command stand for. */
export interface Placeholders {
  port: number;
  /** The metrics side port; null for a contract without `"metrics"`. */
  metricsPort: number | null;
  providerUrl: string;
  dataDir: string;
}

/** The start command with its placeholders filled in: the one expansion every caller uses (bench, gate, cost, profile). */
export function expandStart(start: readonly string[], values: Placeholders): string[] {
  return start.map((part) =>
    part.replace(/\{(port|metricsPort|providerUrl|dataDir)\}/g, (_, name: keyof Placeholders) => {
      const value = values[name];
      if (value === null) throw new Error('the start command passes {metricsPort} but no metrics port was chosen (the contract has no "metrics")');
      return String(value);
    }),
  );
}

/** Where the server's metrics are, or null for a chapter without them. */
export function metricsUrlOf(contract: ChapterContract, metricsPort: number | null): string | null {
  return contract.metrics && metricsPort !== null ? `http://127.0.0.1:${metricsPort}${contract.metrics.path}` : null;
}

/** Every server started and not yet stopped, so a Ctrl-C handler can stop them all. */
const liveServers = new Set<RunningServer>();

/** How long a server's processes have from SIGTERM to exit before the group is killed. */
const STOP_GRACE_MS = 5000;
export function runningServers(): RunningServer[] {
  return [...liveServers];
}

/**
 * Starts the chapter's server (own process group, so wrappers like npm die with
 * it) and awaits readiness. On any failure the process group is killed and the
 * error carries the server's stderr tail.
 */
export async function startServer(
  treeDir: string,
  contract: ChapterContract,
  options: {
    providerUrl: string;
    dataDir: string;
    port?: number;
    extraArgs?: string[];
    env?: Record<string, string>;
    readyTimeoutMs?: number;
    /** A command prefix that execs the server (taskset -c 0, valgrind …): what the server forks inherits it. */
    wrap?: string[];
    /** Record a CPU profile into this directory (node --cpu-prof, bench/profile/capture.ts); stop then lets every process write it. */
    profileDir?: string;
  },
): Promise<RunningServer> {
  const { port, metricsPort } = await choosePorts(contract, options.port);
  const start = expandStart(contract.start, { port, metricsPort, providerUrl: options.providerUrl, dataDir: options.dataDir });
  const [file, ...args] = [...(options.wrap ?? []), ...(options.profileDir === undefined ? start : withCpuProfile(start, options.profileDir)), ...(options.extraArgs ?? [])];
  const child: ChildProcess = spawn(file, args, {
    cwd: treeDir,
    env: { ...process.env, ...contract.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const stderr = new Tail();
  const stdout = new Tail();
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
  type Exit = { code: number | null; signal: NodeJS.Signals | null };
  // Set from event handlers; read through exitState() so TypeScript does not narrow it to its initial null.
  let exited: Exit | null = null;
  const exitState = (): Exit | null => exited;
  let spawnError: Error | null = null;
  const exitPromise = new Promise<void>((resolveExit) => {
    child.on('error', (error) => {
      spawnError = error;
      exited ??= { code: null, signal: null };
      resolveExit();
    });
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolveExit();
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const stderrTail = () => stderr.toString() || stdout.toString();

  const killGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  const processes = pausable({ group: child.pid ?? -1 });
  const stop = async () => {
    liveServers.delete(running);
    // A stopped process runs no SIGTERM handler until continued (nor writes its profile).
    processes.resume();
    // A profiled server: SIGTERM to its leader only, and every process of it waited for, so each writes its profile.
    if (options.profileDir !== undefined && exitState() === null && child.pid !== undefined) await stopProfiledServer(child.pid);
    const deadline = Date.now() + STOP_GRACE_MS;
    if (exitState() === null) {
      killGroup('SIGTERM');
      const timer = setTimeout(() => killGroup('SIGKILL'), STOP_GRACE_MS);
      await exitPromise;
      clearTimeout(timer);
    }
    // Every process of the group had the same SIGTERM: a node:cluster worker still running its
    // handler when the leader is gone is waited for (a loaded machine: the leader may be done
    // first), within what is left of the grace; then what outlived it (e.g. under npm) dies with the group.
    if (child.pid !== undefined) await groupGone(child.pid, Math.max(0, deadline - Date.now()));
    killGroup('SIGKILL');
  };
  const running: RunningServer = { url, port, metricsUrl: metricsUrlOf(contract, metricsPort), pid: child.pid ?? -1, stop, stderrTail, pause: processes.pause, resume: processes.resume };
  liveServers.add(running);

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  const readyUrl = url + contract.ready.path;
  let lastSeen = 'no answer yet';
  while (true) {
    const exit = exitState();
    if (exit !== null) {
      await stop();
      const how = spawnError ? `could not start: ${(spawnError as Error).message}` : `exited (${exit.signal ?? `code ${exit.code}`}) before it was ready`;
      throw new Error(`server \`${[file, ...args].join(' ')}\` ${how}; its stderr ends with:\n${stderrTail() || '(nothing)'}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`server did not answer ${contract.ready.status} on ${readyUrl} within ${(options.readyTimeoutMs ?? 30_000) / 1000} s (last: ${lastSeen}); its stderr ends with:\n${stderrTail() || '(nothing)'}`);
    }
    try {
      const response = await fetch(readyUrl, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === contract.ready.status) return running;
      lastSeen = `status ${response.status}`;
    } catch (error) {
      lastSeen = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
