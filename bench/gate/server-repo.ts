/**
 * Trials on the real server (trials.ts --server <ref>): a temporary clone of the repository
 * at that commit, plus commits on top of it — an identical tree (an empty commit) and heads
 * that add a fixed amount of pure JavaScript work to every reply. The work is a module the
 * head's chapter contract preloads (`node --import ./server/extra-work.mjs …`), wrapping
 * net.Socket#write where a response's head is written: the server's own code is untouched,
 * so the same head works on every chapter, through node:http or its own HTTP layer. Real git,
 * real processes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ChapterContract } from '../subject/contract.ts';

export const EXTRA_WORK_MODULE = 'server/extra-work.mjs';

/**
 * The preloaded module: `iterations` of the work-repo's busy loop before every reply (pure
 * text). Every reply's head leaves through net.Socket#write, whichever HTTP layer wrote it:
 * node:http's ServerResponse (the head alone, or the head and a string body in one chunk) or a
 * chapter's own layer writing complete answers (chapter 16's lean layer, which never calls
 * ServerResponse#end: wrapping that, until 2026-12-06, left the current server's heads as fast
 * as their base). So the work runs once per written chunk that starts a response (`HTTP/1.`),
 * and `globalThis.extraWorkReplies` counts them.
 */
export function extraWorkSource(iterations: number): string {
  if (!Number.isInteger(iterations) || iterations < 1) throw new Error(`extra work must be a positive whole number of iterations, got ${iterations}`);
  return `// Trials only: ${iterations} iterations of busy work before every reply (bench/gate/server-repo.ts).
import net from 'node:net';
const write = net.Socket.prototype.write;
let sink = 0;
globalThis.extraWorkReplies = 0;
// "HTTP/1." at the start of a chunk: a response's status line.
const HEAD = [72, 84, 84, 80, 47, 49, 46];
const startsReply = (chunk) => (typeof chunk === 'string' ? chunk.startsWith('HTTP/1.') : chunk instanceof Uint8Array && chunk.length >= 7 && HEAD.every((b, i) => chunk[i] === b));
net.Socket.prototype.write = function (chunk, ...rest) {
  if (startsReply(chunk)) {
    globalThis.extraWorkReplies++;
    let x = sink;
    for (let i = 0; i < ${iterations}; i++) x = (x + Math.sqrt(i * 7 + x)) % 1e9;
    sink = x;
  }
  return write.call(this, chunk, ...rest);
};
`;
}

/** The contract with the module preloaded by node (pure): the start command must run node. */
export function withExtraWork(contract: ChapterContract): ChapterContract {
  const [program, ...args] = contract.start;
  if (!/(^|\/)node(js)?$/.test(program)) throw new Error(`the start command runs \`${program}\`, not node: the extra work cannot be preloaded`);
  return { ...contract, start: [program, '--import', `./${EXTRA_WORK_MODULE}`, ...args] };
}

export interface ServerTrialRepo {
  dir: string;
  base: string;
  identical: string;
  /** One head per entry of `extraIterations`, in order. */
  slower: string[];
  remove(): void;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'Gate Trials', GIT_AUTHOR_EMAIL: 'gate@example.org', GIT_COMMITTER_NAME: 'Gate Trials', GIT_COMMITTER_EMAIL: 'gate@example.org' },
  }).trim();
}

/** Clones `repo` at `commit` and commits the identical tree and one slower head per entry of `extraIterations`. */
export function createServerTrialRepo(repoPath: string, commit: string, extraIterations: number[]): ServerTrialRepo {
  // git clones from the temporary directory: a relative path (the default `--repo .`) would name that directory.
  const repo = resolve(repoPath);
  const dir = mkdtempSync(join(tmpdir(), 'gate-server-trials-'));
  try {
    git(tmpdir(), 'clone', '-q', '--no-checkout', repo, dir);
    git(dir, 'checkout', '-q', '-b', 'trials', commit);
    // The installs the source repository already holds (keyed by lockfile) serve the clone too.
    const installs = join(repo, '.cache', 'bench', 'installs');
    if (existsSync(installs)) {
      mkdirSync(join(dir, '.cache', 'bench'), { recursive: true });
      symlinkSync(installs, join(dir, '.cache', 'bench', 'installs'));
    }
    git(dir, 'commit', '-q', '--allow-empty', '-m', 'trials: the same tree, another commit');
    const identical = git(dir, 'rev-parse', 'HEAD');
    const contractFile = join(dir, 'server', 'chapter.json');
    const contract = JSON.parse(readFileSync(contractFile, 'utf8')) as ChapterContract;
    const slower = extraIterations.map((iterations) => {
      git(dir, 'checkout', '-q', identical);
      writeFileSync(join(dir, EXTRA_WORK_MODULE), extraWorkSource(iterations));
      writeFileSync(contractFile, `${JSON.stringify(withExtraWork(contract), null, 2)}\n`);
      git(dir, 'add', '-A', 'server');
      git(dir, 'commit', '-q', '-m', `trials: ${iterations} iterations of extra work per reply`);
      return git(dir, 'rev-parse', 'HEAD');
    });
    return { dir, base: commit, identical, slower, remove: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
