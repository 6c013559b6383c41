/**
 * --profile: one extra run per chapter subject after the measured rounds, its server a
 * fresh instance under node --cpu-prof (bench/profile/run.ts). The scenario's own round
 * is the load, but nothing of it is recorded as a run: the profiler costs throughput. A
 * scenario with a provider of its own (ingest) profiles a server started with that provider,
 * as its measured rounds do (session/subjects.ts relaunchedSubjects).
 */
import { join } from 'node:path';
import { formatTable, formatThreads } from '../profile/format.ts';
import { profiledRun } from '../profile/run.ts';
import { toDbRows } from '../profile/schema.ts';
import { serverThreadSplit } from '../proc/cpu.ts';
import type { OwnProvider, ScenarioModule } from '../scenarios/module.ts';
import { Interrupted } from './interrupt.ts';
import { unrecordedLoad, unrecordedRound } from './rounds.ts';
import type { Subject, Session } from './types.ts';

export async function profileScenario(session: Session, module: ScenarioModule, subjects: Subject[]): Promise<void> {
  const { options, store, signals } = session;
  const provider: OwnProvider | null = module.ownProvider ? module.ownProvider(options) : null;
  for (const subject of subjects) {
    const source = subject.source;
    if (!source) continue;
    let profiled: Subject = subject;
    try {
      const { rows, threads } = await profiledRun({
        treeDir: source.tree.path,
        start: async (profileDir) => {
          const launched = await session.io.launch(source.tree, session.cleanup, {
            args: source.args, env: { ...source.env, ...provider?.env }, feed: provider?.feed, connlimit: source.connlimit, wrap: session.serverWrap, guard: signals.guard, profileDir,
          });
          profiled = { ...subject, label: `${subject.label} (profiled)`, url: launched.url, pid: launched.pid, processes: launched, metricsUrl: launched.metricsUrl, simulator: launched.simulator };
          return launched.server;
        },
        warmUp: async () => {
          const warmup = module.warmup(options);
          if (warmup) await unrecordedLoad(session, module, profiled, warmup, 'warm-up');
        },
        load: async () => {
          await module.runRound(unrecordedRound(session, module, profiled), 0);
        },
        threads: () => serverThreadSplit(profiled.pid),
      });
      const key = { sessionId: session.id, subject: subject.subject, experiment: subject.experiment, scenario: module.name };
      store.recordProfile(toDbRows(rows, key));
      if (threads !== null) store.recordProfileThreads(key, threads);
      store.save();
      session.profiles.push({ label: subject.label, scenario: module.name, rows, threads });
      session.log(`profile ${subject.label} / ${module.name}: ${new Set(rows.map((r) => r.process)).size} process table(s) stored${threads === null ? '' : `; ${formatThreads(threads)}`}`);
    } catch (error) {
      if (error instanceof Interrupted) throw error;
      session.failures.push(`profile of ${subject.label} / ${module.name}: ${(error as Error).message}`);
      session.io.stderr.write(`bench: profile of ${subject.label} / ${module.name} failed: ${(error as Error).message}\n`);
    }
    if (signals.interrupted()) throw new Interrupted();
  }
}

/** Each profiled subject's top functions (the merged table of a server of several processes). */
export function formatProfileReport(profiles: Session['profiles'], top: number): string {
  return profiles
    .map(({ label, scenario, rows, threads }) => {
      const shown = rows.filter((r) => r.process === rows[0].process && r.rank <= top);
      const processes = new Set(rows.map((r) => r.process)).size;
      return `${label} / ${scenario}${processes > 1 ? ` (${processes - 1} processes merged)` : ''}:\n${formatTable(shown)}${threads ? `\n${formatThreads(threads)}` : ''}`;
    })
    .join('\n\n');
}
