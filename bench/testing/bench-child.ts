/** Test support: `npm run bench` as a real child process, and what it may leave behind. */
import { spawn } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { HARNESS_ROOT } from '../provenance.ts';
import { bundledCommand, tsxCommand } from './cli-bundle.ts';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the bench CLI to its end; `onStdout` sees the output so far (and may signal the child).
 * One node process running this run's bundle of bench/cli.ts (cli-bundle.ts), or with `tsx`
 * as `npm run bench` starts it (`node --import tsx`) — never the tsx CLI wrapper, which relays
 * a signal to its child and SIGKILLs the child when it has not confirmed the signal within
 * 30 ms, which on a loaded machine killed the bench in the middle of its cleanup.
 */
export function bench(args: string[], options: { onStdout?: (text: string, child: ReturnType<typeof spawn>) => void; env?: NodeJS.ProcessEnv; tsx?: boolean } = {}): Promise<CliRun> {
  const command = options.tsx ? tsxCommand('bench/cli.ts') : bundledCommand('bench/cli.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...command, ...args], { cwd: HARNESS_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      options.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Processes whose working directory is inside `dir` (a server left running from a worktree). */
export function processesInside(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/cwd`).startsWith(dir)) pids.push(Number(entry));
    } catch {
      // Gone, or not ours to inspect.
    }
  }
  return pids;
}
