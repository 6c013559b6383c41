/**
 * `npm run bench -- edition`: the whole book measured in one session at one harness commit
 * (bench/README.md, "Editions"). Read top to bottom:
 *
 * 1. what the book cites (book-needs.ts) → the plan and its time (plan.ts), printed;
 * 2. the callgrind counts the machine lacks (cost.ts), before any load;
 * 3. one session row marked as an edition (settings_json.edition), under the database's
 *    lock for the whole edition — or the interrupted one, with --resume;
 * 4. each part: one call of the bench runner into that session (session/edition-part.ts), with the
 *    edition's round order, sequential stopping and disturbance watch; after each part a
 *    running table and the time left;
 * 5. the session finished complete (everything the plan holds measured, at the whole book's
 *    scope) or failed; Ctrl-C leaves it interrupted and prints the command that resumes.
 */
import { join } from 'node:path';
import { labelParts } from '../scenarios/chapter-capacities.ts';
import { chapterCommitDetails, readChapterList, type Chapter } from '../../db/chapters.ts';
import { REFERENCE_SUBJECT } from '../../db/schema.ts';
import { UsageError } from '../../cli/args.ts';
import { requireTool } from '../loadgen/index.ts';
import { acquireLock, type Lock } from '../lock.ts';
import { machineInfo } from '../machine/fingerprint.ts';
import { parseOptions } from '../options.ts';
import { planPinning, usableCpus } from '../proc/pinning.ts';
import { harnessState, sessionProvenance } from '../provenance.ts';
import { runBench } from '../session/session.ts';
import type { RunnerIO, SessionEffects } from '../session/effects.ts';
import { sharedTrees } from './shared-trees.ts';
import { BenchStore } from '../store.ts';
import { bookNeeds, type Need } from './book-needs.ts';
import { costKeys, countCosts, reusableCosts, valgrindVersion, COST_SCENARIOS } from './cost.ts';
import { capacitiesElsewhere, capacitySeeds, carriedSeeds, CLOSED_LOOP_OF } from './capacity-seeds.ts';
import { disturbanceWatch } from './disturbance.ts';
import type { EditionPart } from '../session/edition-part.ts';
import type { EditionOptions } from './options.ts';
import { allowances, sequentialPartSeconds, watchedPart, carriedLabels, formatPlan, planEdition, SCENARIO_KIND, yardstickSlices, type EditionPlan, type PartPlan } from './plan.ts';
import { budgetedStopping, roundWithReference } from './sequential.ts';
import { formatEditionRatios, type RatioRow } from './closing-table.ts';

/** What settings_json.edition holds. */
export interface EditionRecord {
  /** Whether the edition covers everything the book cites (no --chapters, --scenarios or --no-cost). */
  whole_book: boolean;
  plan: { settings: EditionPlan['settings']; parts: { name: string; scenarios: string[]; labels: string[]; runs: number; min_runs: number }[] };
  plan_seconds: { low: number; high: number };
  /** Parts measured to the end, and their wall time in seconds. */
  done: Record<string, number>;
  cost: { keys: Record<string, string>; sessions: Record<string, number> } | null;
  cost_session_id: number | null;
  /** Where each capacity search started (capacity-seeds.ts), by scenario and label; a label absent doubled from the search's start. */
  capacity_seeds?: Record<string, Record<string, number>>;
  /** The seeds above carried over from another session (another machine kind: none of this one) by this edition's closed loop (capacity-seeds.ts): that session, by scenario and label. */
  carried_seeds?: Record<string, Record<string, number>>;
}

function selectNeeds(needs: Need[], options: EditionOptions): Need[] {
  return needs.filter((n) => (options.chapters === null || options.chapters.includes(n.tag)) && (options.scenarios === null || options.scenarios.includes(n.scenario)));
}

function checkSelection(options: EditionOptions, chapters: Chapter[], needs: Need[]): void {
  const unknown = (options.chapters ?? []).filter((tag) => !chapters.some((c) => c.tag === tag));
  if (unknown.length > 0) throw new UsageError(`--chapters: unknown chapter ${unknown.join(', ')}`);
  if (needs.length === 0) throw new UsageError('nothing to measure: the book cites none of the chapters and scenarios selected');
}

/** The wall-clock time (UTC) `seconds` from now. */
function eta(seconds: number): string {
  return `${new Date(Date.now() + seconds * 1000).toISOString().slice(11, 16)} UTC`;
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** The capacity searches' seeds by scenario (capacity-seeds.ts): only scenarios with at least one. */
function seedsOf(store: BenchStore, machine: { cpu_model: string; cores: number }, needs: Need[]): Record<string, Record<string, number>> {
  const scenarios = [...new Set(needs.map((n) => n.scenario).filter((s) => s.startsWith('capacity-')))];
  const found = scenarios.map((s) => [s, capacitySeeds(store, machine, s, needs.filter((n) => n.scenario === s).map((n) => n.label))] as const);
  return Object.fromEntries(found.filter(([, bySubject]) => Object.keys(bySubject).length > 0));
}

/**
 * A part's capacity seeds by label: this machine kind's (resumed: those the edition recorded),
 * and for a label without one, its capacity in another session carried over by its closed loop
 * measured earlier in this edition (capacity-seeds.ts) — recorded in the edition's settings
 * before the search, with the session it came from.
 */
function seedsForPart(store: BenchStore, sessionId: number, part: PartPlan, known: Record<string, Record<string, number>>, log: (line: string) => void): Record<string, number> {
  const bySubject: Record<string, number> = {};
  for (const scenario of part.scenarios) {
    const mine = known[scenario] ?? {};
    const unseeded = part.labels.filter((label) => mine[label] === undefined);
    const carried = unseeded.length > 0 && CLOSED_LOOP_OF[scenario] ? carriedSeeds(store, sessionId, scenario, unseeded) : {};
    const rates = Object.fromEntries(Object.entries(carried).map(([label, c]) => [label, c.seed]));
    Object.assign(bySubject, mine, rates);
    if (Object.keys(carried).length === 0) continue;
    log(`Capacity searches (${scenario}) seeded from another session's capacity × this edition's ${CLOSED_LOOP_OF[scenario]} throughput ÷ that session's: ${Object.entries(carried).map(([label, c]) => `${label} ${c.seed} (session ${c.from})`).join(', ')}`);
    const record = readRecord(store, sessionId);
    writeRecord(store, sessionId, {
      ...record,
      capacity_seeds: { ...record.capacity_seeds, [scenario]: { ...mine, ...rates } },
      carried_seeds: { ...record.carried_seeds, [scenario]: Object.fromEntries(Object.entries(carried).map(([label, c]) => [label, c.from])) },
    });
    store.save();
  }
  return bySubject;
}

/** The next runs.sequence of a session: its parts' runs keep one order. */
function nextSequence(store: BenchStore, sessionId: number): number {
  const row = store.rows('SELECT MAX(sequence) AS s FROM runs WHERE session_id = ?', [sessionId])[0];
  return typeof row?.s === 'number' ? row.s + 1 : 0;
}

function readRecord(store: BenchStore, sessionId: number): EditionRecord {
  const row = store.rows("SELECT json_extract(settings_json, '$.edition') AS e FROM sessions WHERE id = ?", [sessionId])[0];
  return JSON.parse(String(row.e)) as EditionRecord;
}

function writeRecord(store: BenchStore, sessionId: number, record: EditionRecord): void {
  const row = store.rows('SELECT settings_json FROM sessions WHERE id = ?', [sessionId])[0];
  const settings = JSON.parse(String(row.settings_json)) as Record<string, unknown> & { edition: Record<string, unknown> };
  store.updateSessionSettings(sessionId, { ...settings, edition: { ...settings.edition, ...record, parts: settings.edition.parts } });
}

/** Which counts the edition reuses, from which cost session (their provenance), and which it makes. */
export function formatCostReuse(reused: Record<string, number>, toCount: string[]): string {
  const bySession = new Map<number, string[]>();
  for (const [tag, session] of Object.entries(reused)) bySession.set(session, [...(bySession.get(session) ?? []), tag]);
  const lines = [...bySession].map(([session, tags]) => `  reused from cost session ${session} (same server tree, Node.js, valgrind and settings, same CPU model and cores): ${tags.join(', ')}`);
  if (toCount.length > 0) lines.push(`  to count: ${toCount.join(', ')}`);
  return lines.length === 0 ? '' : `Callgrind counts:\n${lines.join('\n')}\n`;
}

/** The edition's running table: each part, what it measured, how long it took against the plan. */
export function formatRunningTable(plan: EditionPlan, done: Record<string, number>, disturbed: Map<string, { runs: number; disturbed: number }>): string {
  const rows = plan.parts.map((p) => {
    const d = disturbed.get(p.name);
    const status = done[p.name] === undefined ? 'to do' : `done in ${clock(done[p.name])} (plan ${clock(p.seconds.low)}–${clock(p.seconds.high)})`;
    return `  ${p.name.padEnd(22)} ${String(p.labels.length).padStart(2)} subject(s)  ${status}${d && d.runs > 0 ? `  · ${d.disturbed}/${d.runs} slices disturbed` : ''}`;
  });
  return `${rows.join('\n')}\n`;
}

/** Per part (by scenario): recorded runs and disturbed runs of the session. */
function disturbedByPart(store: BenchStore, sessionId: number, plan: EditionPlan): Map<string, { runs: number; disturbed: number }> {
  const rows = store.rows('SELECT scenario, COUNT(*) AS runs, SUM(disturbance IS NOT NULL) AS disturbed FROM runs WHERE session_id = ? GROUP BY scenario', [sessionId]);
  const out = new Map<string, { runs: number; disturbed: number }>();
  for (const part of plan.parts) {
    const mine = rows.filter((r) => part.scenarios.includes(String(r.scenario)));
    out.set(part.name, { runs: mine.reduce((t, r) => t + Number(r.runs), 0), disturbed: mine.reduce((t, r) => t + Number(r.disturbed), 0) });
  }
  return out;
}

/** Starts the edition's session, or checks the one to resume. */
async function openSession(store: BenchStore, options: EditionOptions, record: EditionRecord, tool: { name: string; version: string }, log: (line: string) => void): Promise<number> {
  const harness = await harnessState();
  const machine = machineInfo();
  if (options.resume !== null) {
    const row = store.rows('SELECT status, harness_commit, machine_fingerprint, json_extract(settings_json, \'$.edition\') AS e FROM sessions WHERE id = ?', [options.resume])[0];
    if (!row || row.e === null) throw new UsageError(`--resume ${options.resume}: no edition session with that id in ${options.dbPath}`);
    if (row.status === 'complete') throw new UsageError(`--resume ${options.resume}: that edition is complete`);
    if (row.harness_commit !== harness.commit) throw new UsageError(`--resume ${options.resume}: that edition ran at harness ${String(row.harness_commit).slice(0, 12)}, this is ${harness.commit.slice(0, 12)} (an edition is one harness commit: start a new one)`);
    if (row.machine_fingerprint !== machine.fingerprint) throw new UsageError(`--resume ${options.resume}: that edition ran on another machine`);
    store.db.run("UPDATE sessions SET status = 'running', finished_at = NULL WHERE id = ?", [options.resume]);
    log(`edition: resuming session ${options.resume}`);
    return options.resume;
  }
  const pinning = await planPinning(options.pin);
  return store.startSession({
    ...sessionProvenance(harness, machine),
    tool: tool.name,
    tool_version: tool.version,
    server_cpus: pinning.serverCpus,
    loadgen_cpus: pinning.loadgenCpus,
    pinning_note: pinning.note,
    settings: { edition: { ...record, parts: {} } },
  });
}

/** Runs one part into the session, its sequential rounds until `deadline` (performance.now(), ms) at most; returns the runner's exit code. */
async function runPart(part: PartPlan, plan: EditionPlan, options: EditionOptions, sessionId: number, lock: Lock, io: RunnerIO & Partial<SessionEffects>, deadline: number, seeds: Record<string, number>): Promise<number> {
  const pinning = await planPinning(options.pin);
  const store = await BenchStore.open(options.dbPath);
  const doneLabels = completedLabels(store, sessionId, part, plan);
  const labels = part.labels.filter((l) => !doneLabels.has(l));
  if (labels.length === 0) return 0;
  const args = [
    '--db', options.dbPath, '--repo', options.repoDir, '--chapters', [...new Set(labels.map((l) => labelParts(l).chapter))].join(','), '--scenario', part.scenarios.join(','),
    '--runs', String(part.runs), '--duration', String(part.durationSeconds), '--settle', String(part.settleSeconds), '--warmup', String(part.warmupSeconds),
    '--connections', String(plan.settings.connections), '--tool', options.tool,
    '--pipeline', String(part.kind === 'paired' || part.kind === 'steady' ? plan.settings.pipeline : 1), ...(options.pin ? [] : ['--no-pin']),
  ];
  const hook: EditionPart = {
    sessionId, lock, part: part.name, labels, sequenceFrom: nextSequence(store, sessionId), capacitySeeds: seeds,
    stopAfterRound: part.sequential
      ? budgetedStopping(part, { halfWidth: plan.settings.halfWidth, minRounds: plan.settings.minRounds, maxRounds: part.runs }, {
          deadline,
          now: () => performance.now(),
          byRatio: (scenario) => SCENARIO_KIND[scenario] === 'paired',
          yardstickSlices: (scenario, subjects) => (SCENARIO_KIND[scenario] === 'paired' ? yardstickSlices(subjects, plan.settings.referenceEvery) : 0),
        })
      : undefined,
    // node:http first: it goes before every group, nginx once per round.
    roundOrder: (subjects, yardsticks, round) =>
      roundWithReference(subjects, [...yardsticks].sort((a, b) => Number(b.label === REFERENCE_SUBJECT) - Number(a.label === REFERENCE_SUBJECT)), round, plan.settings.referenceEvery),
    watch: watchedPart(part) ? disturbanceWatch(pinning.serverCpus, pinning.loadgenCpus, usableCpus(pinning.serverCpus)) : undefined,
  };
  return runBench(parseOptions(args), io, hook);
}

/**
 * Subjects of a part already measured to the end in this session (a resumed edition skips
 * them): every scenario of the part summarised, and either through all its rounds or, when
 * sequential, at its minimum of clean rounds (beyond it the rule or the budget stopped it).
 */
export function completedLabels(store: BenchStore, sessionId: number, part: PartPlan, plan: EditionPlan): Set<string> {
  const done = new Set<string>();
  for (const label of part.labels) {
    const { chapter: subject, experiment: named } = labelParts(label);
    const experiment = named ?? '';
    const finished = part.scenarios.every((scenario) => {
      const s = store.rows('SELECT * FROM summaries WHERE session_id = ? AND subject = ? AND experiment = ? AND scenario = ?', [sessionId, subject, experiment, scenario])[0];
      if (!s) return false;
      const rounds = Number(s.runs) + Number(s.failed_runs) + Number(s.disturbed_runs ?? 0);
      // A sequential subject with its minimum of clean rounds is complete: past the minimum only
      // the budget decides, and a resumed part starts its subjects' rounds afresh.
      return rounds >= part.runs || (part.sequential && Number(s.runs) >= plan.settings.minRounds);
    });
    if (finished) done.add(label);
  }
  return done;
}

export async function runEdition(options: EditionOptions, io: RunnerIO): Promise<number> {
  const log = (line: string) => io.stdout.write(`${line}\n`);
  const chapters = readChapterList(join(options.repoDir, 'data', 'chapters.json'));
  const needs = selectNeeds(bookNeeds(options.bookDir, chapters), options);
  checkSelection(options, chapters, needs);
  const costChapters = options.cost ? chapters.filter((c) => needs.some((n) => n.tag === c.tag)) : [];
  const valgrind = options.cost ? valgrindVersion() : '';
  const keys = options.cost ? costKeys(options.repoDir, costChapters, valgrind) : {};
  const { tool } = await requireTool(options.tool, { isDefault: options.tool === 'wrk' });

  // The counts already made on this machine (read without the lock: nothing is written).
  const machine = machineInfo();
  let store = await BenchStore.open(options.dbPath);
  const found = options.cost ? reusableCosts(store, options.repoDir, machine, keys) : {};
  // The reference's count is named like a chapter's: the cited edition's chapter_costs reads no other.
  const costSubjects = options.cost ? [...costChapters.map((c) => c.tag), REFERENCE_SUBJECT] : [];
  const reused = Object.fromEntries(costSubjects.filter((tag) => found[tag] !== undefined).map((tag) => [tag, found[tag]]));
  const toCount = costSubjects.filter((tag) => reused[tag] === undefined);
  // Capacity searches start from this machine kind's latest capacities (read before the edition writes any).
  const seeds = seedsOf(store, machine, needs);
  const carriable = Object.fromEntries(Object.keys(CLOSED_LOOP_OF).map((scenario) => [scenario, Object.keys(capacitiesElsewhere(store, scenario, needs.filter((n) => n.scenario === scenario).map((n) => n.label)))]));
  const plan = planEdition(needs, options.settings, options.resume === null ? toCount.length * COST_SCENARIOS.length : 0,
    Object.fromEntries(Object.entries(seeds).map(([scenario, bySubject]) => [scenario, Object.keys(bySubject)])), carriable);
  io.stdout.write(formatPlan(plan));
  if (options.cost) io.stdout.write(formatCostReuse(reused, toCount));
  for (const [scenario, bySubject] of Object.entries(seeds)) {
    log(`Capacity searches (${scenario}) seeded from this machine kind's latest capacities: ${Object.entries(bySubject).map(([label, rate]) => `${label} ${rate}`).join(', ')}`);
  }
  for (const part of plan.parts.filter((p) => CLOSED_LOOP_OF[p.name] !== undefined)) {
    const carried = carriedLabels(part.name, part.labels.filter((label) => seeds[part.name]?.[label] === undefined), needs, carriable);
    if (carried.length > 0) log(`Capacity searches (${part.name}) to be seeded from another session's capacity, carried over by this edition's ${CLOSED_LOOP_OF[part.name]} throughput: ${carried.join(', ')}`);
  }
  if (options.dryRun) return 0;

  const started = performance.now();
  const sessions = { ...reused };
  let costSession: number | null = null;
  if (options.resume === null && toCount.length > 0) {
    log(`edition: counting instructions of ${toCount.join(', ')} (callgrind, ${COST_SCENARIOS.join(' and ')})`);
    costSession = await countCosts(options.repoDir, options.dbPath, toCount, valgrind, (line) => log(line));
    for (const tag of toCount) sessions[tag] = costSession;
  }

  const lock = acquireLock(options.dbPath, (notice) => io.stderr.write(`bench: ${notice}\n`));
  // Each chapter's worktree and build, made by the first part that needs it, serve the later ones.
  const trees = sharedTrees();
  const partIO = { ...io, prepareTree: trees.prepareTree };
  try {
    store = await BenchStore.open(options.dbPath);
    store.prepareForSession(machine, chapters, chapterCommitDetails(options.repoDir, chapters), (notice) => io.stderr.write(`bench: ${notice}\n`));
    const record: EditionRecord = {
      whole_book: options.chapters === null && options.scenarios === null && options.cost,
      plan: { settings: plan.settings, parts: plan.parts.map((p) => ({ name: p.name, scenarios: p.scenarios, labels: p.labels, runs: p.runs, min_runs: p.minRuns })) },
      plan_seconds: plan.seconds,
      done: {},
      cost: options.cost ? { keys, sessions } : null,
      cost_session_id: costSession ?? (Object.values(sessions).length > 0 ? Math.max(...Object.values(sessions)) : null),
      capacity_seeds: seeds,
    };
    const sessionId = await openSession(store, options, record, tool, log);
    const previous = options.resume === null ? record : readRecord(store, sessionId);
    const done = { ...previous.done };
    // A resumed edition's budget counts the parts measured before the interruption.
    const elapsedBefore = Object.values(previous.done).reduce((t, seconds) => t + seconds, 0);
    writeRecord(store, sessionId, { ...previous, done });
    store.save();
    log(`edition: session ${sessionId} (${options.dbPath})`);

    let failed = false;
    for (const [index, part] of plan.parts.entries()) {
      if (done[part.name] !== undefined) continue;
      const elapsed = (performance.now() - started) / 1000;
      const remaining = plan.parts.slice(index).filter((p) => done[p.name] === undefined);
      // The budget left, shared again: what the parts before needed less (or more) moves the later parts' shares.
      const budgetLeft = plan.settings.budgetSeconds === null ? null : plan.settings.budgetSeconds - elapsed - elapsedBefore;
      const given = allowances(remaining, budgetLeft);
      const allowed = sequentialPartSeconds(remaining, budgetLeft);
      const left = { low: remaining.reduce((t, p) => t + p.seconds.low, 0), high: given.reduce((t, s) => t + s, 0) };
      const share = allowed === 0 ? 'its minimum of rounds: over budget' : `${clock(given[0])} of the budget`;
      log(`\nedition: part ${index + 1}/${plan.parts.length} ${part.name} (${part.labels.length} subject(s)${part.sequential ? `, ${share}` : ''}) · elapsed ${clock(elapsed)} · left ${clock(left.low)}–${clock(Math.max(left.low, left.high))} · ETA ${eta(Math.max(left.low, left.high))}`);
      const partStarted = performance.now();
      const partSeeds = seedsForPart(store, sessionId, part, previous.capacity_seeds ?? seeds, log);
      const code = await runPart(part, plan, options, sessionId, lock, partIO, part.sequential && allowed !== null ? partStarted + allowed * 1000 : Infinity, partSeeds);
      store = await BenchStore.open(options.dbPath);
      if (code === 130) {
        store.finishSession(sessionId, 'interrupted');
        store.save();
        io.stderr.write(`\nedition: interrupted; session ${sessionId} keeps every completed subject. Resume with:\n  npm run bench -- edition --resume ${sessionId}${options.dbPath.endsWith(join('data', 'bench.sqlite')) ? '' : ` --db ${options.dbPath}`}\n`);
        return 130;
      }
      if (code !== 0) failed = true;
      else done[part.name] = Math.round((performance.now() - partStarted) / 1000);
      writeRecord(store, sessionId, { ...readRecord(store, sessionId), done });
      store.save();
      io.stdout.write(`\nedition: what is done (elapsed ${clock((performance.now() - started) / 1000)}):\n${formatRunningTable(plan, done, disturbedByPart(store, sessionId, plan))}`);
    }

    const complete = !failed && plan.parts.every((p) => done[p.name] !== undefined);
    store.finishSession(sessionId, complete ? 'complete' : 'failed');
    store.save();
    io.stdout.write(report(store, sessionId, (performance.now() - started) / 1000, plan, record.whole_book));
    return complete ? 0 : 1;
  } finally {
    for (const failure of await trees.remove()) io.stderr.write(`bench: cleanup: ${failure}\n`);
    lock.release();
  }
}

/** The report's line on the capacity probes, none without probes: they have no runs row, a disturbed one says so in its verdict (bench/overload/capacity-search.ts). */
export function probesLine(store: BenchStore, sessionId: number): string[] {
  const probes = store.rows("SELECT COUNT(*) AS n, SUM(verdict LIKE 'disturbed%') AS d FROM capacity_probes WHERE session_id = ?", [sessionId])[0];
  return Number(probes.n) > 0 ? [`  ${Number(probes.n)} capacity probes, ${Number(probes.d ?? 0)} disturbed (offered again at their rate)`] : [];
}

/** The end of an edition: its wall time against the plan, disturbed slices, ratios withheld. */
function report(store: BenchStore, sessionId: number, seconds: number, plan: EditionPlan, wholeBook: boolean): string {
  const runs = store.rows('SELECT COUNT(*) AS n, SUM(disturbance IS NOT NULL) AS d, SUM(loadgen_saturated = 1) AS s FROM runs WHERE session_id = ?', [sessionId])[0];
  const withheld = store.rows(
    `SELECT subject || CASE experiment WHEN '' THEN '' ELSE '+' || experiment END AS label, scenario, ratio_note FROM summaries
     WHERE session_id = ? AND subject <> ? AND scenario IN ('hot', 'mix', 'close') AND ratio_median IS NULL`,
    [sessionId, REFERENCE_SUBJECT],
  );
  const loose = store.rows(
    `SELECT subject, experiment, scenario, ratio_median, ratio_ci_low, ratio_ci_high FROM summaries
     WHERE session_id = ? AND ratio_median IS NOT NULL AND ((ratio_median - ratio_ci_low) / ratio_median > ? OR (ratio_ci_high - ratio_median) / ratio_median > ?)`,
    [sessionId, plan.settings.halfWidth, plan.settings.halfWidth],
  );
  const ratios = ratioRows(store, sessionId);
  return [
    `\nEdition ${sessionId}: ${clock(seconds)} of wall time (plan ${clock(plan.seconds.low)}–${clock(plan.seconds.high)})${wholeBook ? '' : ' — a partial edition (chapters, scenarios or the cost left out): the book does not cite it'}`,
    `  ${Number(runs.n)} slices recorded, ${Number(runs.d ?? 0)} disturbed (no figure, no ratio; the rounds that followed re-measured them), ${Number(runs.s ?? 0)} where the load generator was the limit`,
    ...probesLine(store, sessionId),
    `  ${withheld.length} ratio(s) withheld${withheld.length ? `: ${withheld.map((w) => `${String(w.label)}/${String(w.scenario)}`).join(', ')}` : ''}`,
    `  ${loose.length} ratio(s) wider than ±${(plan.settings.halfWidth * 100).toFixed(1)}% after the last round${loose.length ? `: ${loose.map((l) => `${String(l.subject)}${l.experiment ? `+${String(l.experiment)}` : ''}/${String(l.scenario)}`).join(', ')}` : ''}`,
    '',
    ...(ratios.length === 0 ? [] : ['Every subject against the node:http reference, this edition:', formatEditionRatios(ratios), '']),
  ].join('\n');
}

/** This edition's ratios on hot and mix, in chapter order (the yardstick nginx first). */
function ratioRows(store: BenchStore, sessionId: number): RatioRow[] {
  return store.rows(
    `SELECT s.subject, s.experiment, s.scenario, s.ratio_median, s.ratio_ci_low, s.ratio_ci_high, s.ratio_note FROM summaries s
     LEFT JOIN chapters c ON c.tag = s.subject
     WHERE s.session_id = ? AND s.subject <> ? AND s.scenario IN ('hot', 'mix')
     ORDER BY COALESCE(c.chapter_number, 0), s.subject, s.experiment, s.scenario`,
    [sessionId, REFERENCE_SUBJECT],
  ) as unknown as RatioRow[];
}
