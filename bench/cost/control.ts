/**
 * callgrind_control from the outside (side effects): zero the counters of running
 * callgrind processes before a measured window, dump them after it, and read what the
 * dump wrote. The processes are the server's whole process group (the server and any
 * workers it forked), found in /proc — callgrind_control reaches each through vgdb.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ThreadActivity } from '../proc/cpu.ts';
import { listProcesses, statFields } from '../proc/processes.ts';
import { splitPart, type PartSplit } from './call-graph.ts';
import { parseCallgrindOutput, type CallgrindPart } from './callgrind-output.ts';

const run = promisify(execFile);

/** The process group of a /proc/<pid>/stat line (field 5), counted from the last ')'. */
export function processGroupOf(statLine: string): number {
  const fields = statFields(statLine);
  const group = Number(fields[2]);
  if (!Number.isInteger(group)) throw new Error(`not a /proc/<pid>/stat line: ${JSON.stringify(statLine.slice(0, 80))}`);
  return group;
}

/** Pids of the live processes in process group `group` (Linux /proc). */
export function processGroupPids(group: number): number[] {
  return listProcesses()
    .filter((p) => p.pgrp === group)
    .map((p) => p.pid)
    .sort((a, b) => a - b);
}

const CONTROL_FLAGS = { zero: ['-z'], dump: ['-d'], instrument: ['-i', 'on'] } as const;

/** `callgrind_control -z|-d|-i on <pid>…`: every pid must answer OK, or this throws with its output. */
export async function callgrindControl(action: keyof typeof CONTROL_FLAGS, pids: readonly number[]): Promise<void> {
  if (pids.length === 0) throw new Error(`callgrind_control ${action}: no process to ${action}`);
  const flag = CONTROL_FLAGS[action].join(' ');
  let output: string;
  try {
    const { stdout, stderr } = await run('callgrind_control', [...CONTROL_FLAGS[action], ...pids.map(String)], { timeout: 60_000 });
    output = stdout + stderr;
  } catch (error) {
    const e = error as { message: string; stdout?: string; stderr?: string };
    throw new Error(`callgrind_control ${flag} ${pids.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
  const oks = (output.match(/^\s*OK\.\s*$/gm) ?? []).length;
  if (oks !== pids.length) throw new Error(`callgrind_control ${flag} ${pids.join(' ')}: ${oks} of ${pids.length} processes answered OK:\n${output}`);
}

export interface DumpFile {
  file: string;
  part: CallgrindPart;
  /** Its timer work and garbage collection (call-graph.ts). */
  split: PartSplit;
}

/**
 * The dump files (`callgrind.out.<pid>.<n>`, one per process and `-d`) in `outDir` not in
 * `seen` (which this adds them to), parsed, with their timer work and GC. The file each process writes at its exit,
 * `callgrind.out.<pid>`, is not a dump and is left out.
 */
export function newDumps(outDir: string, seen: Set<string>): DumpFile[] {
  const files = readdirSync(outDir)
    .filter((name) => /^callgrind\.out\.\d+\.\d+$/.test(name) && !seen.has(name))
    .sort();
  return files.map((name) => {
    seen.add(name);
    const file = join(outDir, name);
    const text = readFileSync(file, 'utf8');
    return { file, part: parseCallgrindOutput(text, file), split: splitPart(text, file) };
  });
}

/**
 * The threads not at rest between two readings of threadActivity, other than each process's
 * main thread (tid = pid): libuv's thread pool (zlib, fs), worker threads. A thread is busy if
 * its CPU time grew, or if it is runnable at the second reading — waiting for a core counts
 * as work still to do (pure).
 */
export function busyBackgroundThreads(before: Map<string, ThreadActivity>, after: Map<string, ThreadActivity>): string[] {
  const busy: string[] = [];
  for (const [key, now] of after) {
    const [pid, tid] = key.split('/');
    if (pid === tid) continue;
    if (now.runnable || now.cpuNs > (before.get(key)?.cpuNs ?? 0)) busy.push(key);
  }
  return busy;
}
