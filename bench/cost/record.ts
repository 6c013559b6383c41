/**
 * `npm run cost -- --record`: every chapter of data/chapters.json (or --chapters) counted
 * under callgrind for each scenario, stored in the benchmark database as one session of
 * kind 'cost' (table `costs`, view `chapter_costs`). Counts do not depend on the machine's
 * load, so `--jobs` servers are counted at once.
 *
 * The database is opened under the bench's lock and saved after every measurement
 * (atomically): an interrupt keeps what was counted and marks the session interrupted.
 */
import { join, resolve } from 'node:path';
import { chapterCommitDetails, readChapterList, type Chapter } from '../../db/chapters.ts';
import { costs, REFERENCE_SUBJECT, type CostRow } from '../../db/schema.ts';
import { insertRow } from '../../db/table.ts';
import type { Cleanup } from '../subject/cleanup.ts';
import { acquireLock } from '../lock.ts';
import { machineInfo } from '../machine/fingerprint.ts';
import { harnessState, sessionProvenance } from '../provenance.ts';
import { scenario as scenarioOf } from '../scenarios/index.ts';
import { BenchStore } from '../store.ts';
import { UsageError } from '../../cli/args.ts';
import type { CostRecordOptions } from './args.ts';
import { COST_METHOD } from './rest.ts';
import { measureCost, windowPaths, type CostMeasurement, type CostSubject } from './measure.ts';
import { describeSpread } from './report.ts';
import { chapterSubject, hotAnswerOf, prepareCommitTree, referenceSubject } from './subject.ts';
import type { ReferenceSource } from '../reference/from-answer.ts';

/** A chapter, or the bare node:http reference (chapter null), in one scenario. */
interface Job {
  chapter: Chapter | null;
  scenario: 'hot' | 'mix';
}

/** Whether the reference is counted: by default, and when --chapters names it. */
export function selectsReference(tags: string[] | null): boolean {
  return tags === null || tags.includes(REFERENCE_SUBJECT);
}

/** The chapters to count, in book order; an unknown tag is a usage error (`reference` is not a chapter: selectsReference). */
export function selectChapters(all: Chapter[], tags: string[] | null): Chapter[] {
  if (tags === null) return all;
  tags = tags.filter((tag) => tag !== REFERENCE_SUBJECT);
  const unknown = tags.filter((tag) => !all.some((c) => c.tag === tag));
  if (unknown.length > 0) throw new UsageError(`--chapters: unknown chapter ${unknown.join(', ')} (known: ${all.map((c) => c.tag).join(', ')})`);
  return all.filter((c) => tags.includes(c.tag));
}

/**
 * One `costs` row from a measurement (pure). A chapter's commit_hash is the chapter's; the
 * reference's is the harness commit it was counted at, whose bench/reference/ is its program
 * (the edition keys its count by that tree, bench/edition/cost.ts).
 */
export function costRow(sessionId: number, job: Job, m: CostMeasurement, harnessCommit: string): CostRow {
  return {
    session_id: sessionId,
    subject: job.chapter?.tag ?? REFERENCE_SUBJECT,
    experiment: '',
    commit_hash: job.chapter?.commit ?? harnessCommit,
    scenario: job.scenario,
    requests_per_window: m.provenance.requests,
    windows: m.windows.length,
    processes: m.provenance.processes,
    instructions_per_request: m.perRequest.median,
    min_per_request: m.perRequest.min,
    max_per_request: m.perRequest.max,
    range: m.perRequest.range,
    cv: m.perRequest.cv,
    // Node's start runs uninstrumented (--instr-atstart=no, command.ts): no longer counted.
    startup_instructions: null,
    node_flags: m.provenance.nodeFlags.join(' '),
    valgrind_version: m.provenance.valgrind,
    node_version: m.provenance.node,
    // The windows set aside first (window ≤ 0), then the counted ones: every window measured is shown.
    windows_json: JSON.stringify([...(m.setAside ?? []), ...m.windows]),
    raw_range: m.rawPerRequest.range,
    timer_instructions_per_second: m.timerInstructionsPerSecond,
    gc_per_request: m.gcPerRequest,
  };
}

/** Runs `work` over `items` with at most `jobs` at a time; the first failure rejects (the rest finish first). */
async function pool<T>(items: T[], jobs: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const errors: unknown[] = [];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      try {
        await work(item);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  if (errors.length > 0) throw errors[0];
}

export async function recordCosts(options: CostRecordOptions, cleanup: Cleanup, log: (line: string) => void): Promise<void> {
  const repo = resolve(options.repo);
  const all = readChapterList(join(repo, 'data', 'chapters.json'));
  const chapters = selectChapters(all, options.chapters);
  const commits = chapterCommitDetails(repo, all);
  const harness = await harnessState();
  const lock = acquireLock(options.db, (notice) => log(`cost: ${notice}`));
  await cleanup.add('release the database lock', async () => lock.release());
  const store = await BenchStore.open(options.db);
  const machine = machineInfo();
  store.prepareForSession(machine, all, commits, (notice) => log(`cost: ${notice}`));
  const withReference = selectsReference(options.chapters);
  const jobs: Job[] = [...chapters, ...(withReference ? [null] : [])].flatMap((chapter) => options.scenarios.map((scenario) => ({ chapter, scenario })));
  // The reference answers with the bytes of chapter 1's hot answer (fixed history), whichever
  // chapters are counted with it: its count then depends only on its own program.
  const referenceSource = all[0];
  const sessionId = store.startSession({
    kind: 'cost',
    ...sessionProvenance(harness, machine),
    finished_at: null,
    tool: 'callgrind',
    tool_version: options.valgrindVersion,
    server_cpus: null,
    loadgen_cpus: null,
    pinning_note: 'not pinned: instruction counts do not depend on the CPU or the load',
    settings: { chapters: chapters.map((c) => c.tag), reference: withReference ? `the hot answer of ${referenceSource.tag}` : null, scenarios: options.scenarios, requests: options.requests, windows: options.reps, warmup_requests: options.warmup, node_flags: options.nodeFlags, method: COST_METHOD, jobs: options.jobs, layout: 'windows (one server process per chapter and scenario)' },
  });
  store.save();
  let finished = false;
  await cleanup.add(`finish cost session ${sessionId}`, async () => {
    if (finished) return;
    store.finishSession(sessionId, 'interrupted');
    store.save();
  });
  log(`cost: session ${sessionId}: ${jobs.length} count(s) (${chapters.length} chapter(s)${withReference ? ' and the reference' : ''} × ${options.scenarios.join(', ')}), ${options.reps} windows of ${options.requests} requests, ${options.jobs} at a time`);
  const trees = new Map<string, ReturnType<typeof prepareCommitTree>>();
  const treeOf = (c: Chapter) => {
    if (!trees.has(c.tag)) trees.set(c.tag, prepareCommitTree(repo, c.commit, cleanup, (line) => log(`cost: ${c.tag}: ${line}`)));
    return trees.get(c.tag)!;
  };
  let referenceAnswer: Promise<ReferenceSource> | null = null;
  const costSubjectOf = async (chapter: Chapter | null): Promise<CostSubject> => {
    if (chapter !== null) return chapterSubject(await treeOf(chapter), cleanup);
    referenceAnswer ??= treeOf(referenceSource).then((tree) => hotAnswerOf(tree, cleanup));
    return referenceSubject(await referenceAnswer, cleanup);
  };
  try {
    await pool(jobs, options.jobs, async (job) => {
      const label = job.chapter?.tag ?? REFERENCE_SUBJECT;
      const { paths, requests } = windowPaths(scenarioOf(job.scenario).paths, options.requests);
      const measurement = await measureCost(
        await costSubjectOf(job.chapter),
        { paths, requests, warmupRequests: options.warmup, processes: 1, windowsPerProcess: options.reps, nodeFlags: options.nodeFlags, readyTimeoutMs: options.readyTimeoutSeconds * 1000 },
        (line) => log(`cost: ${label} / ${job.scenario}: ${line}`),
      ).catch((error: Error) => {
        // Said at once: the session goes on with the other counts and fails at its end.
        log(`cost: ${label} / ${job.scenario}: failed: ${error.message}`);
        throw error;
      });
      insertRow(store.db, costs, costRow(sessionId, job, measurement, harness.commit), 'replace');
      store.save();
      log(`cost: ${label} / ${job.scenario}: ${describeSpread(measurement.perRequest)}; before timer work and GC were split out: ${describeSpread(measurement.rawPerRequest)}`);
    });
    store.finishSession(sessionId, 'complete');
  } catch (error) {
    store.finishSession(sessionId, 'failed');
    throw error;
  } finally {
    finished = true;
    store.save();
  }
}
