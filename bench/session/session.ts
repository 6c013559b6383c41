/**
 * `npm run bench -- run`: one bench session, read top to bottom — its plan (plan.ts: what
 * is still to measure, with which settings), its subjects (subjects.ts: every chapter
 * still to measure prepared and started, the reference beside them), its rounds per
 * scenario (rounds.ts: warm-up, then interleaved, rotated rounds, the database saved
 * after every round), the optional profile (profile.ts), and its report (report.ts).
 * Everything is stopped and removed at the end, on failure, and on SIGINT/SIGTERM
 * (interrupt.ts: session marked interrupted, exit 130).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toBencherMetricFormat, toGithubActionBenchmark } from '../export.ts';
import type { LoadGenerator, ToolInfo } from '../loadgen/index.ts';
import { acquireLock, type Lock } from '../lock.ts';
import type { MachineInfo } from '../machine/fingerprint.ts';
import type { BenchOptions } from '../options.ts';
import { pinPrefix, usableCpus } from '../proc/pinning.ts';
import { createCpuQuota, type CpuQuota } from '../proc/cpu-quota.ts';
import { Progress } from './progress.ts';
import { BenchStore } from '../store.ts';
import { Interrupted, stopChildProcesses, watchSignals } from './interrupt.ts';
import { Cleanup } from '../subject/cleanup.ts';
import { withEffects, type RunnerIO, type SessionEffects } from './effects.ts';
import type { Unit, Request, Session } from './types.ts';
import type { EditionPart } from './edition-part.ts';
import { checkRequest, planWork, sessionSettings } from './plan.ts';
import { prepareSubjects, relaunchedSubjects, startReferences } from './subjects.ts';
import { runScenario } from './rounds.ts';
import { profileScenario } from './profile.ts';
import { report } from './report.ts';
import { sessionProvenance } from '../provenance.ts';

/**
 * One session. `effects`: where its lines go, and any effect swapped for a fake (effects.ts;
 * the rest are the system's); `edition`: the part of an edition it measures, if any.
 */
export async function runBench(options: BenchOptions, effects: RunnerIO & Partial<SessionEffects>, edition?: EditionPart): Promise<number> {
  const io = withEffects(effects);
  const progress = new Progress(io.stdout);
  const log = (line: string) => progress.line(line);
  const request = await checkRequest(options, io);
  const { store, lock, machine } = await openStore(options, io, request, edition);
  const plan = planWork(options, request, store, machine.fingerprint, log, edition);
  const needed = request.units.filter((u) => [...plan.values()].some((list) => list.includes(u)));
  if (needed.length === 0) {
    store.save();
    if (!edition) lock.release();
    log('nothing to measure: every chapter × scenario is already measured on this machine.');
    if (options.exportDir) writeExports(store, options.exportDir, log);
    return 0;
  }
  let quota: CpuQuota | null = null;
  try {
    quota = options.serverCpuQuota === null ? null : createCpuQuota(options.serverCpuQuota, `perf-book-bench-${process.pid}`);
  } catch (error) {
    store.save();
    if (!edition) lock.release();
    throw error;
  }
  const ownSettings = sessionSettings(options, request, needed, quota);
  const settings = edition ? editionSettings(store, edition, ownSettings) : ownSettings;
  const id = edition ? edition.sessionId : startSessionRow(store, request, machine, settings, io.now());
  log(`session ${id}: ${needed.length} chapter subject(s), scenarios ${[...plan.keys()].join(', ')}, ${options.runs} run(s) × ${options.durationSeconds} s, ${options.connections} connections, ${request.tool.name} ${request.tool.version}`);
  log(request.pinning.note);
  if (quota) log(`servers under a CPU quota of ${quota.fraction} of one CPU (${quota.method})`);
  const session: Session = {
    serverWrap: [...(quota?.prefix ?? []), ...pinPrefix(request.pinning.serverCpus)],
    serverCores: Math.min(quota?.fraction ?? Infinity, usableCpus(request.pinning.serverCpus)),
    options, io, request, store, machine, id, settings, progress, log,
    cleanup: new Cleanup(),
    signals: watchSignals(io, progress, lock),
    sequence: edition?.sequenceFrom ?? 0,
    failures: [],
    lines: [],
    overhead: [],
    profiles: [],
    edition,
  };
  // Added first, so it runs last: after every server in the group has stopped.
  if (quota) await session.cleanup.add('remove the servers\' CPU quota group', () => quota.remove());
  const status = await runSession(session, plan, needed, lock);
  if (status === 'interrupted') {
    stopChildProcesses();
    io.stderr.write(`bench: interrupted; session ${id} ${edition ? 'kept' : 'marked interrupted'}, measured runs kept in ${options.dbPath}\n`);
    return 130;
  }
  report(session);
  if (options.exportDir) writeExports(store, options.exportDir, log);
  if (session.failures.length > 0) {
    io.stderr.write(`\nbench: ${session.failures.length} failure(s):\n${session.failures.map((f) => `  - ${f.split('\n')[0]}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

/** An edition part's settings: the session's so far, this part's on top and under edition.parts.<part>. */
function editionSettings(store: BenchStore, edition: EditionPart, own: Record<string, unknown>): Record<string, unknown> {
  const row = store.rows('SELECT settings_json FROM sessions WHERE id = ?', [edition.sessionId])[0];
  if (!row) throw new Error(`edition session ${edition.sessionId} is not in the database`);
  const before = JSON.parse(String(row.settings_json)) as Record<string, unknown> & { edition?: { parts?: Record<string, unknown> } };
  return {
    ...before,
    ...own,
    preparation: (before.preparation as Record<string, unknown> | undefined) ?? {},
    edition: { ...before.edition, parts: { ...before.edition?.parts, [edition.part]: own } },
  };
}

/** The lock, the database, this machine and the chapter list recorded. */

async function openStore(options: BenchOptions, io: SessionEffects, request: Request, edition?: EditionPart): Promise<{ store: BenchStore; lock: Lock; machine: MachineInfo }> {
  const lock = edition?.lock ?? acquireLock(options.dbPath, (notice) => io.stderr.write(`bench: ${notice}\n`));
  let store: BenchStore;
  try {
    store = await io.openStore(options.dbPath);
  } catch (error) {
    if (!edition) lock.release();
    throw error;
  }
  const machine = io.machine();
  // An edition prepared the database once, before its session began (which is running now, not abandoned).
  if (!edition) store.prepareForSession(machine, request.allChapters, request.commits, (notice) => io.stderr.write(`bench: ${notice}\n`));
  return { store, lock, machine };
}

function startSessionRow(store: BenchStore, request: Request, machine: MachineInfo, settings: Record<string, unknown>, startedAt: Date): number {
  const id = store.startSession({
    ...sessionProvenance(request.harness, machine, startedAt),
    tool: request.tool.name,
    tool_version: request.tool.version,
    server_cpus: request.pinning.serverCpus,
    loadgen_cpus: request.pinning.loadgenCpus,
    pinning_note: request.pinning.note,
    settings,
  });
  store.save();
  return id;
}

/** Measures, then always: stops and removes everything, records how the session ended, saves, unlocks. */
async function runSession(session: Session, plan: Map<string, Unit[]>, needed: Unit[], lock: Lock): Promise<'complete' | 'failed' | 'interrupted'> {
  const { io, store } = session;
  let status: 'complete' | 'failed' | 'interrupted' = 'complete';
  try {
    await measureSession(session, plan, needed);
    if (session.failures.length > 0) status = 'failed';
  } catch (error) {
    if (error instanceof Interrupted) status = 'interrupted';
    else {
      status = 'failed';
      session.failures.push((error as Error).message);
      io.stderr.write(`bench: ${(error as Error).message}\n`);
    }
  } finally {
    session.progress.clearStatus();
    for (const failure of await session.cleanup.run()) io.stderr.write(`bench: cleanup of ${failure}\n`);
    store.updateSessionSettings(session.id, session.settings);
    // An edition's part leaves its session running: the edition finishes it, and holds the lock.
    if (!session.edition) store.finishSession(session.id, status);
    store.save();
    if (!session.edition) lock.release();
    session.signals.dispose();
  }
  return status;
}

/** Subjects, the yardsticks where a scenario compares to them, then every planned scenario. */
async function measureSession(session: Session, plan: Map<string, Unit[]>, needed: Unit[]): Promise<void> {
  const subjects = await prepareSubjects(session, needed);
  // The worktrees stay until the end: the servers run from them.
  if (subjects.length === 0) return;
  const needsReference = session.request.modules.some((m) => m.comparesToReference && plan.has(m.name));
  const references = needsReference ? await startReferences(session, subjects[0]) : [];
  for (const module of session.request.modules) {
    const todo = plan.get(module.name);
    if (!todo) continue;
    const measured = subjects.filter((s) => todo.some((u) => u.label === s.label));
    if (measured.length === 0) continue;
    const own = module.ownProvider ? await relaunchedSubjects(session, module, module.ownProvider(session.options), measured) : measured;
    const roundSubjects = module.comparesToReference ? [...references, ...own] : own;
    await runScenario(session, module, roundSubjects);
    if (session.options.profile) await profileScenario(session, module, measured);
  }
}

export function writeExports(store: BenchStore, dir: string, log: (line: string) => void): void {
  mkdirSync(dir, { recursive: true });
  const latest = store.latestSummaries();
  writeFileSync(join(dir, 'bencher.json'), `${JSON.stringify(toBencherMetricFormat(latest), null, 2)}\n`);
  writeFileSync(join(dir, 'github-action-benchmark.json'), `${JSON.stringify(toGithubActionBenchmark(latest), null, 2)}\n`);
  log(`exported ${latest.length} summaries to ${join(dir, 'bencher.json')} and ${join(dir, 'github-action-benchmark.json')}`);
}

export type { LoadGenerator, ToolInfo };
