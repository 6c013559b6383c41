/**
 * `chapters verify`: builds every chapter of data/chapters.json at its recorded commit in a
 * worktree (the bench's own prepare/build/start, bench/subject/subject.ts, install cache included), feeds its server the
 * simulator's sample answers 1–3, and runs the API contract suite against its URL.
 */
import type { Chapter } from '../../db/chapters.ts';
import { Cleanup } from '../subject/cleanup.ts';
import { launchSubject, prepareSubjectTree } from '../subject/subject.ts';
import { DEFAULT_INGEST_WAIT_SECONDS } from './args.ts';
import { runSuite, type CheckOutcome, type ContractCheck, CONTRACT_CHECKS } from './suite.ts';

export interface ChapterVerdict {
  chapter: Chapter;
  /** Set when the chapter could not be built or started (then `checks` is empty). */
  failure: string | null;
  checks: CheckOutcome[];
}

export function passed(verdict: ChapterVerdict): boolean {
  return verdict.failure === null && verdict.checks.every((c) => c.ok);
}

/** Longest wait for sample answers 1–3 to be ingested, unless told (--ingest-wait); a hang guard. */
const INGEST_DEADLINE_MS = DEFAULT_INGEST_WAIT_SECONDS * 1000;
const INGEST_CHECK = 'polls the provider: sample answers 1-3 ingested';

async function waitUntil(what: string, condition: () => boolean, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`gave up waiting for ${what} after ${deadlineMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface VerifyRunOptions {
  log: (line: string) => void;
  checks?: readonly ContractCheck[];
  /** Longest wait for sample answers 1–3 (default 20 s). */
  ingestWaitMs?: number;
}

export async function verifyChapter(repoDir: string, chapter: Chapter, options: VerifyRunOptions): Promise<ChapterVerdict> {
  const cleanup = new Cleanup();
  try {
    options.log(`${chapter.tag}: build`);
    const tree = await prepareSubjectTree(repoDir, chapter.commit, cleanup, { onLog: (line) => options.log(`${chapter.tag}: ${line.trim()}`) });
    // The sample answers 1–3, never frozen: the suite checks what the server made of them.
    const { simulator, url } = await launchSubject(tree, cleanup, { feed: { mode: 'samples' }, freeze: false, args: ['--poll-interval', '30'] });
    // Polls never overlap: a 4th request means answer 3 has been ingested. A server that never
    // gets there fails this check, and the suite still runs (its failures say what is missing).
    const ingested = await waitUntil('sample answers 1-3 to be ingested', () => simulator.requests() >= 4, options.ingestWaitMs ?? INGEST_DEADLINE_MS).then(
      (): CheckOutcome => ({ name: INGEST_CHECK, since: 1, ok: true }),
      (error: Error): CheckOutcome => ({ name: INGEST_CHECK, since: 1, ok: false, error: error.message }),
    );
    options.log(`${chapter.tag}: contract suite on ${url}`);
    return { chapter, failure: null, checks: [ingested, ...(await runSuite(url, chapter.number, options.checks ?? CONTRACT_CHECKS))] };
  } catch (error) {
    return { chapter, failure: (error as Error).message, checks: [] };
  } finally {
    for (const failure of await cleanup.run()) options.log(`${chapter.tag}: cleanup: ${failure}`);
  }
}

/** Verifies the chapters one after the other (they share the machine's cores). */
export async function verifyChapters(repoDir: string, chapters: readonly Chapter[], options: VerifyRunOptions): Promise<ChapterVerdict[]> {
  const verdicts: ChapterVerdict[] = [];
  for (const chapter of chapters) verdicts.push(await verifyChapter(repoDir, chapter, options));
  return verdicts;
}

/** One block per chapter: passed checks counted, failures spelled out. */
export function renderVerdicts(verdicts: readonly ChapterVerdict[]): string {
  const lines: string[] = [];
  for (const v of verdicts) {
    const head = `chapter ${v.chapter.number} ${v.chapter.tag} (${v.chapter.commit.slice(0, 12)})`;
    if (v.failure !== null) {
      lines.push(`FAIL ${head}: could not be built or started`, ...indent(v.failure));
      continue;
    }
    const failed = v.checks.filter((c) => !c.ok);
    lines.push(`${failed.length === 0 ? 'PASS' : 'FAIL'} ${head}: ${v.checks.length - failed.length}/${v.checks.length} contract checks`);
    for (const c of failed) lines.push(`  ✗ ${c.name} (since chapter ${c.since})`, ...indent(c.error ?? '', 4));
  }
  return lines.join('\n');
}

function indent(text: string, by = 2): string[] {
  return text.split('\n').map((line) => `${' '.repeat(by)}${line}`);
}
