/**
 * The live processes of this machine as the bench needs them (Linux /proc): pid, parent and
 * process group — read in one place for the CPU time of a server's tree, the children an
 * interrupt stops, and the process group callgrind is told to dump.
 */
import { readdirSync, readFileSync } from 'node:fs';

/**
 * The fields of a /proc/<pid>/stat line after the command name: index 0 is field 3 (state).
 * The name (field 2) is in parentheses and may itself hold spaces or ')', so fields are
 * counted from the LAST ')'.
 */
export function statFields(text: string): string[] {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error(`not a /proc/<pid>/stat line: ${JSON.stringify(text.slice(0, 80))}`);
  return text.slice(close + 2).trim().split(/\s+/);
}

export interface ProcessEntry {
  pid: number;
  ppid: number;
  /** Process group. */
  pgrp: number;
}

/** Every live process (one that exits during the listing is left out). */
export function listProcesses(): ProcessEntry[] {
  const entries: ProcessEntry[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = statFields(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      entries.push({ pid: Number(entry), ppid: Number(fields[1]), pgrp: Number(fields[2]) });
    } catch {
      // Exited between the listing and the read.
    }
  }
  return entries;
}

/** A process and all its live descendants, the process first (a node:cluster primary and its workers). */
export function processTree(pid: number, processes: readonly ProcessEntry[] = listProcesses()): number[] {
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const p of processes) if (p.ppid === tree[i]) tree.push(p.pid);
  return tree;
}

/** Whether a process with this pid exists (signal 0; EPERM: it exists, just not ours). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
