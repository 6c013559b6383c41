/**
 * The kernel's connection limit for an experiment (`"connlimit": <n>` in
 * data/chapters.json): an iptables rule on the subject's loopback port that resets every
 * new connection beyond `n` open ones, added before the subject's runs and removed after
 * — at the end, on an error, on Ctrl-C (the cleanup stack), and on a second Ctrl-C
 * (removeLiveRulesNow, synchronously, before the bench exits). Every rule carries the
 * comment `perf-book:<owner>:pid-<pid>`, so rules a killed bench left behind are found
 * and removed (cleanLeftoverRules; `npm run bench -- --clean-iptables`).
 *
 * Where the rule cannot be added (not root, no iptables, iptables refuses it) this throws
 * KernelLimitUnavailable with the reason: the runner records the subject as not run.
 */
import { execFile, execFileSync } from 'node:child_process';
import { isProcessAlive } from '../proc/processes.ts';

export const RULE_COMMENT_PREFIX = 'perf-book:';

/** An experiment that needs the kernel cannot run here; the message is the reason. */
export class KernelLimitUnavailable extends Error {}

export interface CommandResult {
  /** Exit code; null when the command could not run (then `error` says why). */
  code: number | null;
  stdout: string;
  stderr: string;
  error?: string;
}
export type CommandRunner = (file: string, args: string[]) => Promise<CommandResult>;

/** Runs a command to completion, never throws (tests inject their own). */
export const runCommand: CommandRunner = (file, args) =>
  new Promise((resolve) => {
    execFile(file, args, { timeout: 10_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr, ...(code === null && error ? { error: error.message } : {}) });
    });
  });

/** How this process reaches iptables: tests replace both. */
export interface IptablesAccess {
  run: CommandRunner;
  isRoot: () => boolean;
}
export const SYSTEM_IPTABLES: IptablesAccess = { run: runCommand, isRoot: () => process.getuid?.() === 0 };

/** The rule of the contract, after `-I INPUT` / `-D INPUT`. */
export function connlimitRuleSpec(port: number, limit: number, comment: string): string[] {
  return [
    '-i', 'lo', '-p', 'tcp', '--syn', '--dport', String(port),
    '-m', 'connlimit', '--connlimit-above', String(limit), '--connlimit-mask', '0',
    '-m', 'comment', '--comment', comment,
    '-j', 'REJECT', '--reject-with', 'tcp-reset',
  ];
}

/** `perf-book:<owner>:pid-<pid>`: no spaces or quotes, so the words of `iptables -S` give it back. */
export function ruleComment(owner: string, pid = process.pid): string {
  return `${RULE_COMMENT_PREFIX}${owner.replace(/[^A-Za-z0-9._-]/g, '_')}:pid-${pid}`;
}

const describeFailure = (result: CommandResult) => (result.error ?? (result.stderr.trim() || `exit ${result.code}`)).split('\n')[0];

/** Why iptables cannot be used here, or null when it can. */
export async function iptablesUnavailable(access: IptablesAccess = SYSTEM_IPTABLES): Promise<string | null> {
  if (!access.isRoot()) return 'the kernel connection limit needs root (iptables); the bench runs as a normal user';
  const version = await access.run('iptables', ['-V']);
  if (version.code === null) return `iptables is not available (${describeFailure(version)}); install it: apt-get install iptables`;
  if (version.code !== 0) return `iptables -V failed: ${describeFailure(version)}`;
  return null;
}

export interface InstalledRule {
  spec: string[];
  remove(): Promise<void>;
}

/** Rules this process added and has not removed yet (for the second Ctrl-C). */
const liveRules = new Set<string[]>();

/** Adds the rule on `port`; KernelLimitUnavailable with the reason when it cannot. */
export async function addConnlimitRule(port: number, limit: number, owner: string, access: IptablesAccess = SYSTEM_IPTABLES): Promise<InstalledRule> {
  const unavailable = await iptablesUnavailable(access);
  if (unavailable) throw new KernelLimitUnavailable(unavailable);
  const spec = connlimitRuleSpec(port, limit, ruleComment(owner));
  const added = await access.run('iptables', ['-I', 'INPUT', ...spec]);
  if (added.code !== 0) throw new KernelLimitUnavailable(`iptables refused the connlimit rule on port ${port}: ${describeFailure(added)}`);
  liveRules.add(spec);
  let removed: Promise<void> | null = null;
  return {
    spec,
    remove: () =>
      (removed ??= (async () => {
        const result = await access.run('iptables', ['-D', 'INPUT', ...spec]);
        liveRules.delete(spec);
        if (result.code !== 0) throw new Error(`iptables -D INPUT ${spec.join(' ')} failed: ${describeFailure(result)}; remove it by hand or with npm run bench -- --clean-iptables`);
      })()),
  };
}

/** Removes every rule this process still has, synchronously: a second Ctrl-C exits right after. */
export function removeLiveRulesNow(): void {
  for (const spec of liveRules) {
    try {
      execFileSync('iptables', ['-D', 'INPUT', ...spec], { stdio: 'ignore', timeout: 5000 });
    } catch {
      // Gone already, or cannot: --clean-iptables finds it later.
    }
    liveRules.delete(spec);
  }
}

export interface LeftoverRule {
  /** The rule as `iptables -S INPUT` prints it. */
  line: string;
  /** The bench process that added it, and whether it still runs. */
  pid: number | null;
  ownerAlive: boolean;
}

/** The perf-book rules in the INPUT chain (pure: from `iptables -S INPUT`). */
export function perfBookRules(listing: string, alive: (pid: number) => boolean = isProcessAlive): LeftoverRule[] {
  return listing
    .split('\n')
    .filter((line) => line.startsWith('-A INPUT ') && /--comment "?perf-book:/.test(line))
    .map((line) => {
      const pid = /--comment "?perf-book:\S*:pid-(\d+)\b/.exec(line)?.[1];
      return { line, pid: pid === undefined ? null : Number(pid), ownerAlive: pid !== undefined && alive(Number(pid)) };
    });
}

/**
 * Removes the perf-book rules whose bench is gone (a rule of a bench still running is
 * kept and reported). Returns what it did, a line per rule.
 */
export async function cleanLeftoverRules(access: IptablesAccess = SYSTEM_IPTABLES, alive: (pid: number) => boolean = isProcessAlive): Promise<string[]> {
  const unavailable = await iptablesUnavailable(access);
  if (unavailable) throw new Error(`cannot look for leftover rules: ${unavailable}`);
  const listing = await access.run('iptables', ['-S', 'INPUT']);
  if (listing.code !== 0) throw new Error(`iptables -S INPUT failed: ${describeFailure(listing)}`);
  const report: string[] = [];
  for (const rule of perfBookRules(listing.stdout, alive)) {
    if (rule.ownerAlive) {
      report.push(`kept (its bench, pid ${rule.pid}, still runs): ${rule.line}`);
      continue;
    }
    // `-S` prints a rule the way it is given: the same words after -D delete it (our comment has no
    // spaces; -S quotes it, and the quotes are the shell's, not part of it).
    const removed = await access.run('iptables', ['-D', ...rule.line.split(/\s+/).slice(1).map((word) => word.replace(/^"(.*)"$/, '$1'))]);
    report.push(removed.code === 0 ? `removed: ${rule.line}` : `could not remove (${describeFailure(removed)}): ${rule.line}`);
  }
  return report;
}
