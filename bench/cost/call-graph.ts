/**
 * Inclusive cost of named functions in a callgrind output file (pure): how many
 * instructions ran inside a function and everything it called.
 *
 * The file lists, per function (`fn=`), its own cost lines and its calls: a
 * `calls=<count> <target>` line is followed by one cost line holding the call's inclusive
 * cost. So inclusive(F) = F's own cost lines + the cost lines after F's `calls=`. Names
 * may be compressed: `fn=(12) name` defines id 12, a later `fn=(12)` or `cfn=(12)` refers
 * to it. With `events: Ir` and `positions: line` a cost line is `<line> <Ir>`, the line
 * possibly relative (`+3`, `-2`, `*`).
 *
 * Used to take timer work out of a measured window (see timer-work.ts): everything run by
 * libuv's timer phase is the inclusive cost of `uv__run_timers`.
 */
import { CallgrindFormatError } from './callgrind-output.ts';

/** A resolver of `fn=`/`cfn=` names, compressed (`(12) name`, then `(12)`) or not. */
function functionNames(): (spec: string, where: string) => string {
  const names = new Map<string, string>(); // function ids only: files and objects number their names apart
  return (spec: string, where: string): string => {
    const match = /^\((\d+)\)(?: (.*))?$/.exec(spec);
    if (match === null) return spec; // uncompressed
    const [, id, name] = match;
    if (name !== undefined) {
      names.set(id, name);
      return name;
    }
    const known = names.get(id);
    if (known === undefined) throw new CallgrindFormatError(`${where}: name id (${id}) used before it was defined`);
    return known;
  };
}

/** How many times functions whose name `wanted` accepts were called (the `calls=` counts of the calls into them). */
export function callCount(text: string, wanted: (name: string) => boolean, file = 'callgrind output'): number {
  const nameOf = functionNames();
  let targetWanted = false;
  let count = 0;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    if (line.startsWith('fn=')) nameOf(line.slice(3), `${file}:${index + 1}`);
    else if (line.startsWith('cfn=')) targetWanted = wanted(nameOf(line.slice(4), `${file}:${index + 1}`));
    else if (line.startsWith('calls=') && targetWanted) count += Number(line.slice('calls='.length).trim().split(/\s+/)[0]);
  }
  return count;
}

/** Inclusive Ir of every function whose name `wanted` accepts, summed (a recursive call into a wanted function is not counted twice). */
export function inclusiveCost(text: string, wanted: (name: string) => boolean, file = 'callgrind output'): number {
  const nameOf = functionNames();
  let column = -1;
  let inWanted = false;
  let callTargetWanted = false;
  let nextIsCallCost = false;
  let total = 0;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    const where = `${file}:${index + 1}`;
    if (line.startsWith('events:')) {
      column = line.slice('events:'.length).trim().split(/\s+/).indexOf('Ir');
      if (column < 0) throw new CallgrindFormatError(`${where}: event Ir was not collected`);
    } else if (line.startsWith('fn=')) {
      inWanted = wanted(nameOf(line.slice(3), where));
    } else if (line.startsWith('cfn=')) {
      callTargetWanted = wanted(nameOf(line.slice(4), where));
    } else if (line.startsWith('calls=')) {
      nextIsCallCost = true;
    } else if (/^[0-9+\-*]/.test(line)) {
      const fields = line.trim().split(/\s+/);
      const value = Number(fields[1 + column] ?? 0);
      if (!Number.isSafeInteger(value) || value < 0) throw new CallgrindFormatError(`${where}: expected a cost line, got "${line}"`);
      // A call from a wanted function into a wanted function is inside the caller's inclusive cost once.
      if (inWanted && !(nextIsCallCost && callTargetWanted)) total += value;
      nextIsCallCost = false;
    }
    // fl=, fi=, fe=, ob=, cob=, cfi=, cfl= name files and objects, whose ids are another namespace: not needed here.
  }
  if (column < 0) throw new CallgrindFormatError(`${file}: no "events:" line — not a callgrind output file`);
  return total;
}

/** libuv's timer phase: every timer callback (JS timers, node's interval histograms) runs inside it. */
export const TIMER_PHASE = 'uv__run_timers';
const isTimerPhase = (name: string) => name === TIMER_PHASE;
/** V8's garbage collections, whichever allocation triggered them. */
const isGarbageCollection = (name: string) => name.startsWith('v8::internal::Heap::CollectGarbage(');

/** Where the instructions of one part went (Ir). */
export interface PartSplit {
  /** Inclusive cost of the timer phase (GC triggered inside it included). */
  timers: number;
  /** Garbage collections outside the timer phase. */
  gc: number;
  /** Turns of the event loop (calls of libuv's poll phase, `uv__io_poll`). */
  loopTurns: number;
}

/**
 * Splits a part's instructions into timer work, garbage collection outside the timers,
 * and (the rest) the work of the requests. A node without symbols would show neither
 * function; the event loop's `uv_run` must be named, or the split cannot be trusted.
 */
export function splitPart(text: string, file = 'callgrind output'): PartSplit {
  if (!/^c?fn=\(\d+\) uv_run$/m.test(text)) {
    throw new CallgrindFormatError(`${file}: no function uv_run — the process is not node, or its binary has no symbols: timer work cannot be told apart`);
  }
  const timers = inclusiveCost(text, isTimerPhase, file);
  const timersOrGc = inclusiveCost(text, (name) => isTimerPhase(name) || isGarbageCollection(name), file);
  return { timers, gc: timersOrGc - timers, loopTurns: callCount(text, (name) => name === 'uv__io_poll', file) };
}
