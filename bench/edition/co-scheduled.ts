/**
 * Would a subject and the reference measured at the same moment, on the same core, pair more
 * tightly than slices one after the other (bench/README.md, "Editions", 4: "Nor on one core at
 * once")? Per round, every subject and the node:http reference each get a slice of their own
 * (settle, then measured: the edition's layout), then each subject runs beside the reference:
 * both servers on the servers' CPU at once, each loaded by its own wrk on the load generator's.
 * Per subject, the CV over rounds of four ratios to the reference: sequential slices by req/s
 * and by req/s per CPU-second of the server, co-scheduled slices the same two ways.
 *
 *   node --import tsx bench/edition/co-scheduled.ts [--chapters v1-baseline,v5-ingest-worker] [--rounds 12] [--seconds 2]
 *
 * Nothing is recorded: it prints a line per subject. Measure alone.
 */
import { fileURLToPath } from 'node:url';
import { numberFlag, parseFlags, UsageError } from '../../cli/args.ts';
import { readChapterList } from '../../db/chapters.ts';
import { runWrk } from '../loadgen/wrk.ts';
import { readTreeCpuSeconds } from '../proc/cpu.ts';
import { pinPrefix, planPinning } from '../proc/pinning.ts';
import { fetchReferenceSource } from '../reference/from-answer.ts';
import { startReferenceServer } from '../reference/reference-server.ts';
import { HOT_PATH } from '../scenarios/index.ts';
import { coefficientOfVariation, median } from '../stats/descriptive.ts';
import { Cleanup } from '../subject/cleanup.ts';
import { startSubject } from '../subject/subject.ts';

/** A measured slice: the subject's served requests per second and its server's CPU seconds over the slice. */
export interface Reading {
  rps: number;
  cpuSeconds: number;
}

/** One round of one subject: its own slice and the reference's (sequential), and the pair measured at once. */
export interface RoundOf {
  sequential: { subject: Reading; reference: Reading };
  together: { subject: Reading; reference: Reading };
}

export interface RatioSpread {
  median: number;
  cv: number;
}

export interface LayoutComparison {
  sequential: RatioSpread;
  sequentialPerCpu: RatioSpread;
  together: RatioSpread;
  togetherPerCpu: RatioSpread;
  /** The subject's share of the two servers' CPU time in each co-scheduled slice. */
  subjectCpuShares: number[];
}

const perCpu = (r: Reading): number => r.rps / r.cpuSeconds;
const spread = (ratios: number[]): RatioSpread => ({ median: median(ratios), cv: coefficientOfVariation(ratios) });

/** The four ratios' spreads over a subject's rounds (pure). */
export function compareLayouts(rounds: RoundOf[]): LayoutComparison {
  return {
    sequential: spread(rounds.map((r) => r.sequential.subject.rps / r.sequential.reference.rps)),
    sequentialPerCpu: spread(rounds.map((r) => perCpu(r.sequential.subject) / perCpu(r.sequential.reference))),
    together: spread(rounds.map((r) => r.together.subject.rps / r.together.reference.rps)),
    togetherPerCpu: spread(rounds.map((r) => perCpu(r.together.subject) / perCpu(r.together.reference))),
    subjectCpuShares: rounds.map((r) => r.together.subject.cpuSeconds / (r.together.subject.cpuSeconds + r.together.reference.cpuSeconds)),
  };
}

/** One line per subject (pure). */
export function comparisonLine(subject: string, c: LayoutComparison): string {
  const cell = (name: string, s: RatioSpread) => `${name} ${s.median.toFixed(3)} (CV ${(100 * s.cv).toFixed(1)}%)`;
  const shares = c.subjectCpuShares.map((s) => s.toFixed(2));
  return `${subject}: ${cell('one after the other', c.sequential)}, ${cell('per CPU-second', c.sequentialPerCpu)} | ${cell('at once', c.together)}, ${cell('per CPU-second', c.togetherPerCpu)} | its CPU share at once ${shares.join(' ')}`;
}

interface Target {
  url: string;
  pid: number;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseFlags({ args: argv, strict: true, allowPositionals: false, options: { chapters: { type: 'string' }, rounds: { type: 'string' }, seconds: { type: 'string' } } });
  const rounds = numberFlag('--rounds', values.rounds, { integer: true, min: 2, fallback: 12 });
  const seconds = numberFlag('--seconds', values.seconds, { integer: true, min: 1, hint: 'seconds measured a slice', fallback: 2 });
  const known = readChapterList(fileURLToPath(new URL('../../data/chapters.json', import.meta.url))).map((c) => c.tag);
  const tags = (values.chapters ?? 'v1-baseline,v5-ingest-worker,v20-fair-by-asking').split(',');
  for (const tag of tags) if (!known.includes(tag)) throw new UsageError(`--chapters: no chapter "${tag}" in data/chapters.json`);
  const pinning = await planPinning(true);
  if (!pinning.serverCpus || !pinning.loadgenCpus) throw new Error(`pinning is needed for this comparison: ${pinning.note}`);
  const wrap = pinPrefix(pinning.serverCpus);
  const repo = fileURLToPath(new URL('../../', import.meta.url));
  const cleanup = new Cleanup();
  process.once('SIGINT', () => void cleanup.run().then(() => process.exit(130)));
  try {
    const subjects = new Map<string, Target>();
    for (const tag of tags) {
      const { subject } = await startSubject(repo, tag, cleanup, { wrap });
      subjects.set(tag, { url: subject.url, pid: subject.pid });
    }
    const source = await fetchReferenceSource(subjects.get(tags[tags.length - 1])!.url + HOT_PATH, tags[tags.length - 1]);
    const referenceServer = await startReferenceServer(source.body, source.headers, { wrap });
    await cleanup.add('reference', () => referenceServer.stop());
    const reference: Target = { url: referenceServer.url, pid: referenceServer.pid };
    const load = (target: Target, durationSeconds: number) =>
      runWrk({ url: target.url, paths: [HOT_PATH], connections: 8, durationSeconds, keepAlive: true, pipeline: 4, cpus: pinning.loadgenCpus ?? undefined }, {});
    const cpuOf = (target: Target): number => {
      const cpu = readTreeCpuSeconds(target.pid);
      if (cpu === null) throw new Error(`no CPU time readable for the server at ${target.url} (pid ${target.pid}): did it exit?`);
      return cpu;
    };
    const read = async (targets: Target[]): Promise<Reading[]> => {
      await Promise.all(targets.map((t) => load(t, 1))); // the settle
      const before = targets.map(cpuOf);
      const results = await Promise.all(targets.map((t) => load(t, seconds)));
      return results.map((result, i) => {
        if (!result.ok || result.requestsPerSecond === null) throw new Error(`wrk failed against ${targets[i].url}: ${result.failure}`);
        return { rps: result.requestsPerSecond, cpuSeconds: cpuOf(targets[i]) - before[i] };
      });
    };
    const byTag = new Map<string, RoundOf[]>(tags.map((tag) => [tag, []]));
    for (let round = 1; round <= rounds; round++) {
      const [alone] = await read([reference]);
      for (const tag of tags) {
        const [subject] = await read([subjects.get(tag)!]);
        const [together, referenceTogether] = await read([subjects.get(tag)!, reference]);
        byTag.get(tag)!.push({ sequential: { subject, reference: alone }, together: { subject: together, reference: referenceTogether } });
      }
      process.stderr.write(`round ${round}/${rounds}\n`);
    }
    for (const tag of tags) console.log(comparisonLine(tag, compareLayouts(byTag.get(tag)!)));
  } finally {
    await cleanup.run();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`co-scheduled: ${error instanceof UsageError ? error.message : String(error)}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  });
}
