/**
 * `npm run ingest-memory -- --ref <commit-ish>`: the peak resident memory of a chapter's
 * server ingesting large provider documents (issue 21: "a valid 15 MB provider document
 * raises the server's resident memory to 538 MB"). The chapter is checked out and prepared
 * through its contract (bench/subject/), started against the simulator's bulk feed
 * (simulator/bulk.ts: the bench's feed plus bulk plans to --bytes, variants served in turn so
 * every poll changes data), and left to ingest `--polls` documents; then the kernel's own
 * figures are read from /proc/<pid>/status: VmHWM (the peak resident set since the start,
 * every thread included: the ingest worker is a thread of the same process) and VmRSS.
 * Exit codes (cli/exit.ts): 0 measured, 1 failed, 2 bad flags.
 */
import { resolve } from 'node:path';
import { numberFlag, parseFlags, UsageError } from '../../cli/args.ts';
import { EXIT, runCommand } from '../../cli/exit.ts';
import { resolveCommit } from '../git/commit.ts';
import { Cleanup } from '../subject/cleanup.ts';
import { FEED, launchSubject, prepareSubjectTree } from '../subject/subject.ts';
import { peakRssBytes, rssBytes } from '../subject/server-report.ts';

const HELP = `Usage: npm run ingest-memory -- --ref <commit-ish> [--bytes 15000000] [--polls 3] [--json]

Starts the chapter at <ref> against the simulator's bulk feed (documents of at least
--bytes bytes, two variants served in turn), waits until it has ingested --polls documents
(its /health pollsOk), and prints its peak resident memory (VmHWM) and its resident memory
then (VmRSS), from /proc/<pid>/status.

Options:
  --ref <commit-ish>   the chapter to measure (tag, branch or hash)         (default HEAD)
  --repo <dir>         repository holding it                               (default .)
  --bytes <n>          size of each provider document                      (default 15000000)
  --polls <n>          documents ingested before reading                   (default 3)
  --json               print the figures as JSON
  --help               show this help
`;

interface Options {
  ref: string;
  repo: string;
  bytes: number;
  polls: number;
  json: boolean;
}

function parseOptions(argv: string[]): Options | null {
  const { values } = parseFlags({
    args: argv,
    options: { ref: { type: 'string' }, repo: { type: 'string' }, bytes: { type: 'string' }, polls: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return null;
  return {
    ref: values.ref ?? 'HEAD',
    repo: values.repo ?? '.',
    bytes: numberFlag('--bytes', values.bytes, { integer: true, min: 1, fallback: 15_000_000 }),
    polls: numberFlag('--polls', values.polls, { integer: true, min: 1, fallback: 3 }),
    json: values.json ?? false,
  };
}

const POLL_INTERVAL_MS = 1000;
const POLLS_WAIT_MS = 300_000;
const wait = (ms: number) => new Promise((done) => setTimeout(done, ms));
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

/** The server's count of successful polls, from its /health. */
async function pollsOk(url: string): Promise<number> {
  const answer = await fetch(`${url}/health`);
  const body = (await answer.json()) as { data?: { pollsOk?: unknown } };
  const count = body.data?.pollsOk;
  if (typeof count !== 'number') throw new Error(`/health answered ${answer.status} without data.pollsOk`);
  return count;
}

async function measure(options: Options, cleanup: Cleanup): Promise<string> {
  const repo = resolve(options.repo);
  const commit = await resolveCommit(repo, options.ref);
  if (commit === null) throw new UsageError(`--ref ${options.ref} is not a commit in ${repo}`);
  const log = (line: string) => process.stderr.write(`ingest-memory: ${line}\n`);
  const tree = await prepareSubjectTree(repo, commit, cleanup, { onLog: log });
  const subject = await launchSubject(tree, cleanup, {
    feed: { ...FEED, bulk: { targetBytes: options.bytes, variants: 2 } },
    freeze: false,
    env: { POLL_INTERVAL_MS: String(POLL_INTERVAL_MS) },
    readyTimeoutMs: POLLS_WAIT_MS,
  });
  const deadline = Date.now() + POLLS_WAIT_MS;
  for (let seen = await pollsOk(subject.url); seen < options.polls; seen = await pollsOk(subject.url)) {
    if (Date.now() > deadline) throw new Error(`the server ingested ${seen} of ${options.polls} documents within ${POLLS_WAIT_MS / 1000} s`);
    await wait(200);
  }
  const peak = peakRssBytes(subject.pid);
  const now = rssBytes(subject.pid);
  if (peak === null || now === null) throw new Error(`no VmHWM/VmRSS in /proc/${subject.pid}/status: the server is gone`);
  await subject.stop();
  const figures = { ref: options.ref, commit, documentBytes: options.bytes, polls: options.polls, peakRssBytes: peak, rssBytes: now };
  if (options.json) return `${JSON.stringify(figures, null, 2)}\n`;
  return `${options.ref} (${commit.slice(0, 12)}), ${options.polls} documents of ${mb(options.bytes)} MB ingested: peak RSS (VmHWM) ${mb(peak)} MB, RSS now ${mb(now)} MB\n`;
}

async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  if (options === null) {
    process.stdout.write(HELP);
    return EXIT.ok;
  }
  const cleanup = new Cleanup();
  const interrupt = () => void cleanup.run().then(() => process.exit(EXIT.interrupted));
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  try {
    process.stdout.write(await measure(options, cleanup));
    return EXIT.ok;
  } finally {
    for (const failure of await cleanup.run()) process.stderr.write(`ingest-memory: cleanup: ${failure}\n`);
  }
}

await runCommand('ingest-memory', () => main(process.argv.slice(2)));
