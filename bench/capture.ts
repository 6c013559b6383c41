/**
 * A command's printed output kept in the benchmark database (table demo_outputs, read by the
 * book's `@demo`): a page shows what the tool printed, never a copy typed into its source.
 * The row's description says where and when it was printed (the machine, the harness commit),
 * as a session records it for a measurement. Written under the bench's lock and saved
 * atomically, like every other write to the database.
 */
import { demoOutputs, type DemoOutputRow } from '../db/schema.ts';
import { insertRow } from '../db/table.ts';
import { acquireLock } from './lock.ts';
import type { MachineInfo } from './machine/fingerprint.ts';
import { BenchStore } from './store.ts';

export interface Capture {
  name: string;
  title: string;
  command: string;
  output: string;
}

/** Where a capture was printed, in words (pure): the machine as a caption names it, the harness commit, the time. */
export function provenanceOf(machine: Pick<MachineInfo, 'cpu_model' | 'cores'>, harness: { commit: string; dirty: boolean }, capturedAt: string): string {
  const commit = `${harness.commit.slice(0, 12)}${harness.dirty ? ' with uncommitted changes' : ''}`;
  return `Printed on ${machine.cpu_model} · ${machine.cores} cores, harness ${commit}, ${capturedAt.slice(0, 16).replace('T', ' ')} UTC.`;
}

/** The row a capture becomes (pure): a name captured before keeps its number (names are unique), a new one takes the next. */
export function captureRow(capture: Capture, description: string, capturedAt: string, number: number | null): DemoOutputRow {
  return { ...(number === null ? {} : { demo_number: number }), name: capture.name, title: capture.title, description, command: capture.command, output: capture.output, captured_at: capturedAt };
}

/** Stores the capture in the database at `dbPath`, replacing an earlier capture of its name; returns its demo number. */
export async function storeCapture(dbPath: string, capture: Capture, description: string, capturedAt: string, log: (line: string) => void): Promise<number> {
  const lock = acquireLock(dbPath, log);
  try {
    const store = await BenchStore.open(dbPath);
    const earlier = store.rows('SELECT demo_number FROM demo_outputs WHERE name = ?', [capture.name])[0]?.demo_number;
    const number = insertRow(store.db, demoOutputs, captureRow(capture, description, capturedAt, earlier === undefined ? null : Number(earlier)), 'replace');
    store.save();
    return number;
  } finally {
    lock.release();
  }
}
