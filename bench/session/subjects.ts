/**
 * The subjects of a session: every chapter (or experiment) still to measure, prepared and
 * started through bench/subject/subject.ts; servers of a scenario with its own provider;
 * the yardsticks (node:http and nginx) fed the first chapter's hot answer.
 */
import { NOT_RUN, REFERENCE_SUBJECT } from '../../db/schema.ts';
import { HOT_PATH } from '../scenarios/index.ts';
import type { OwnProvider, ScenarioModule } from '../scenarios/module.ts';
import { type PreparationRow } from '../store.ts';
import { Interrupted } from './interrupt.ts';
import type { PreparedTree } from '../subject/subject.ts';
import { whileRunning } from '../subject/pause.ts';
import { cleanLeftoverRules, iptablesUnavailable, KernelLimitUnavailable } from '../subject/connlimit.ts';
import type { Subject, Unit, Session } from './types.ts';

/** Every chapter subject still to measure, started; a subject that fails is reported and skipped. */
export async function prepareSubjects(session: Session, needed: Unit[]): Promise<Subject[]> {
  const { store, options, cleanup, signals } = session;
  if (needed.some((u) => u.connlimit !== null)) await cleanLeftovers(session);
  const subjects: Subject[] = [];
  const trees = new Map<string, PreparedTree>();
  for (const unit of needed) {
    const prep: PreparationRow = {
      session_id: session.id, subject: unit.chapter.tag, experiment: unit.experiment, commit_hash: unit.chapter.commit, worktree_seconds: null, install_seconds: null,
      install_cache_hit: null, build_seconds: null, start_seconds: null, total_seconds: null, status: 'ok', failure: null,
    };
    const started = performance.now();
    try {
      let tree = trees.get(unit.chapter.tag);
      if (!tree) {
        session.log(`prepare ${unit.chapter.tag} @ ${unit.chapter.commit.slice(0, 12)}`);
        tree = await session.io.prepareTree(options.repoDir, unit.chapter.commit, cleanup, { guard: signals.guard, onLog: (line) => session.progress.status(`${unit.chapter.tag}: ${line.trim()}`) });
        trees.set(unit.chapter.tag, tree);
        Object.assign(prep, { worktree_seconds: tree.worktreeSeconds, install_seconds: tree.installSeconds, install_cache_hit: tree.installCacheHit ? 1 : 0, build_seconds: tree.buildSeconds });
      }
      const connlimit = unit.connlimit === null ? undefined : { limit: unit.connlimit, owner: `session-${session.id}`, access: session.io.iptables };
      const launched = await session.io.launch(tree, cleanup, { args: unit.args, env: unit.env, connlimit, wrap: session.serverWrap, guard: signals.guard });
      // Stopped until its first slice: an idle server may still work on the CPU the others are measured on.
      launched.pause();
      prep.start_seconds = launched.startSeconds;
      prep.total_seconds = Math.round(performance.now() - started) / 1000;
      subjects.push({
        label: unit.label, subject: unit.chapter.tag, experiment: unit.experiment, commit: unit.chapter.commit, url: launched.url, pid: launched.pid, processes: launched,
        metricsUrl: launched.metricsUrl, source: { tree, args: unit.args, env: unit.env, connlimit },
      });
      session.log(`ready ${unit.label} on ${launched.url}${connlimit ? ` (kernel limit: ${connlimit.limit} connections)` : ''} — overhead ${describePreparation(prep)}`);
    } catch (error) {
      if (error instanceof Interrupted) throw error;
      if (error instanceof KernelLimitUnavailable) {
        // Not a failure of the session: recorded as not run, with the reason, for the book to say so.
        prep.status = NOT_RUN;
        prep.failure = error.message;
        session.log(`not run ${unit.label}: ${error.message}`);
      } else {
        prep.status = 'failed';
        prep.failure = (error as Error).message;
        session.failures.push(`${unit.label}: ${(error as Error).message}`);
        session.io.stderr.write(`bench: ${unit.label} could not be prepared or started:\n${(error as Error).message}\n`);
      }
      prep.total_seconds = Math.round(performance.now() - started) / 1000;
    }
    session.progress.clearStatus();
    store.recordPreparation(prep);
    session.overhead.push({ label: unit.label, prep });
    (session.settings.preparation as Record<string, unknown>)[unit.label] = {
      worktree_seconds: prep.worktree_seconds, install_seconds: prep.install_seconds, install_cache_hit: prep.install_cache_hit === null ? null : prep.install_cache_hit === 1,
      build_seconds: prep.build_seconds, start_ready_seconds: prep.start_seconds, total_seconds: prep.total_seconds, status: prep.status,
    };
    store.updateSessionSettings(session.id, session.settings);
  }
  // Once for all: a save writes the whole database (0.3–0.6 s at 47 MB), and a preparation is no
  // measurement — a session that fails or is interrupted saves what it holds when it ends (session.ts).
  store.save();
  return subjects;
}

/** Before adding kernel limits: rules a killed bench left behind are removed (a rule of a bench still running is kept). */
async function cleanLeftovers(session: Session): Promise<void> {
  if (await iptablesUnavailable(session.io.iptables)) return; // the experiments will say why they are not run
  try {
    for (const line of await cleanLeftoverRules(session.io.iptables)) session.log(`iptables: ${line}`);
  } catch (error) {
    session.log(`iptables: ${(error as Error).message}`);
  }
}

/** A scenario with its own provider measures servers started for it alone; they stop with the session. */
export async function relaunchedSubjects(session: Session, module: ScenarioModule, provider: OwnProvider, subjects: Subject[]): Promise<Subject[]> {
  const own: Subject[] = [];
  for (const subject of subjects) {
    const source = subject.source;
    if (!source) continue;
    session.progress.status(`${module.name} · ${subject.label} · starting a server with its own provider`);
    const started = performance.now();
    try {
      const instance = await session.io.launch(source.tree, session.cleanup, {
        args: source.args, env: { ...source.env, ...provider.env }, feed: provider.feed, connlimit: source.connlimit, wrap: session.serverWrap, guard: session.signals.guard,
      });
      instance.pause();
      const launched: Subject = { ...subject, url: instance.url, pid: instance.pid, processes: instance, metricsUrl: instance.metricsUrl, simulator: instance.simulator };
      own.push(launched);
      session.log(`ready ${subject.label} for ${module.name} on ${launched.url} (own provider, ${((performance.now() - started) / 1000).toFixed(2)} s)`);
    } catch (error) {
      if (error instanceof Interrupted) throw error;
      session.failures.push(`${subject.label} / ${module.name}: ${(error as Error).message}`);
      session.io.stderr.write(`bench: ${subject.label} could not be started for ${module.name}:\n${(error as Error).message}\n`);
    }
    session.progress.clearStatus();
  }
  return own;
}

function describePreparation(prep: PreparationRow): string {
  const s = (v: number | null) => v?.toFixed(2) ?? '—';
  const cache = prep.install_cache_hit === null ? '' : prep.install_cache_hit ? ' cached' : ' fresh';
  return `${s(prep.total_seconds)} s (worktree ${s(prep.worktree_seconds)}, install ${s(prep.install_seconds)}${cache}, build ${s(prep.build_seconds)}, start+ready ${s(prep.start_seconds)})`;
}

/** The yardsticks (bench/reference/yardsticks.ts): the exact bytes and headers of the first chapter's hot answer, pinned like the chapters. */
export async function startReferences(session: Session, source: Subject): Promise<Subject[]> {
  // The source answers once, continued for it.
  const { yardsticks, settings } = await whileRunning(source.processes, () => session.io.startYardsticks({
    answerUrl: source.url + HOT_PATH, sourceLabel: source.label, wrap: session.serverWrap, cleanup: session.cleanup, guard: session.signals.guard, log: session.log,
  }));
  const started = yardsticks.map((y) => ({ yardstick: y, processes: session.io.pausable({ tree: y.pid }) }));
  // Added after their stops, so it runs before them: a stopped server runs no shutdown (bench/subject/pause.ts).
  await session.cleanup.add('continue the yardsticks', () => started.forEach((s) => s.processes.resume()));
  for (const { processes } of started) processes.pause();
  Object.assign(session.settings, settings);
  session.store.updateSessionSettings(session.id, session.settings);
  session.store.save();
  return started.map(({ yardstick: y, processes }) => ({ label: y.subject, subject: y.subject, experiment: '', commit: null, url: y.url, pid: y.pid, processes }));
}
