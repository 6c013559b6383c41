/**
 * Reads the header and the totals of a callgrind output file (pure).
 *
 * A file is one "part": the whole run, or the window between a `callgrind_control -z`
 * (zero) and a `callgrind_control -d` (dump). Only these lines matter here:
 *   events: Ir [more event names]      — what the cost columns count
 *   summary: <n> [n…]                   — a header estimate of the part's cost
 *   totals: <n> [n…]                    — the sum of the part's cost lines (written last)
 *   pid: / part: / cmd: / desc: Trigger: — which process, which dump, why
 * The instruction count of a part is its `totals:` Ir — what callgrind_annotate adds up.
 * `summary:` can lag behind it: a recorded dump of `sleep` says `summary: 0` and
 * `totals: 5` (fixtures/sleep-dump.callgrind.out); on a node server the two differed by
 * 0.2% in one window. Callgrind writes `totals:` last, so a file without it was cut short.
 */

export interface CallgrindPart {
  pid: number | null;
  part: number | null;
  cmd: string | null;
  /** `desc: Trigger: …` — e.g. "dump" (callgrind_control -d) or "Program termination". */
  trigger: string | null;
  events: string[];
  summary: number[];
  totals: number[];
}

export class CallgrindFormatError extends Error {}

function costs(value: string, where: string): number[] {
  const parts = value.trim().split(/\s+/);
  const numbers = parts.map(Number);
  if (parts.length === 0 || numbers.some((n) => !Number.isSafeInteger(n) || n < 0)) {
    throw new CallgrindFormatError(`${where}: expected whole numbers, got "${value.trim()}"`);
  }
  return numbers;
}

/** Parses one output file's text; `file` names it in errors (file:line). */
export function parseCallgrindOutput(text: string, file: string): CallgrindPart {
  const result: CallgrindPart = { pid: null, part: null, cmd: null, trigger: null, events: [], summary: [], totals: [] };
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const colon = line.indexOf(':');
    if (colon <= 0 || !/^[a-z]+$/.test(line.slice(0, colon))) return; // a cost or name line
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1);
    const where = `${file}:${index + 1}`;
    switch (key) {
      case 'pid':
        result.pid = costs(value, where)[0];
        break;
      case 'part':
        result.part = costs(value, where)[0];
        break;
      case 'cmd':
        result.cmd = value.trim();
        break;
      case 'desc':
        if (value.trim().startsWith('Trigger:')) result.trigger = value.trim().slice('Trigger:'.length).trim();
        break;
      case 'events':
        result.events = value.trim().split(/\s+/);
        break;
      case 'summary':
        result.summary = costs(value, where);
        break;
      case 'totals':
        result.totals = costs(value, where);
        break;
    }
  });
  if (result.events.length === 0) throw new CallgrindFormatError(`${file}: no "events:" line — not a callgrind output file`);
  if (result.totals.length === 0) throw new CallgrindFormatError(`${file}: no "totals:" line — the file was cut short (is valgrind still writing it?)`);
  return result;
}

/** The cost of one event (default Ir: instructions executed) in a part, from its `totals:` line. */
export function eventCost(part: CallgrindPart, event = 'Ir', file = 'callgrind output'): number {
  const column = part.events.indexOf(event);
  if (column < 0) throw new CallgrindFormatError(`${file}: event ${event} was not collected (events: ${part.events.join(' ')})`);
  const value = part.totals[column];
  if (value === undefined) throw new CallgrindFormatError(`${file}: the totals line has no column for ${event}`);
  return value;
}

/** Instructions of several parts together: the processes of one server (a parent and its forked workers). */
export function totalInstructions(parts: Array<{ part: CallgrindPart; file: string }>): number {
  return parts.reduce((sum, { part, file }) => sum + eventCost(part, 'Ir', file), 0);
}
