/**
 * Reads the header and the totals of a callgrind output file (pure).
 *
 * A file is one "part": the whole run, or the window between a `callgrind_control -z`
 * (zero) and a `callgrind_control -d` (dump). Only these lines matter here:
 *   events: Ir [more event names]      — what the cost columns count
 *   summary: <n> [n…]                   — the part's total cost (callgrind writes it)
 *   totals: <n> [n…]                    — the sum of the cost lines (written last)
 *   pid: / part: / cmd: / desc: Trigger: — which process, which dump, why
 * The instruction count of a part is its `summary:` Ir; `totals:` is kept as a check
 * (callgrind writes it last, so a file without it was cut short).
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
  if (result.summary.length === 0 && result.totals.length === 0) {
    throw new CallgrindFormatError(`${file}: neither "summary:" nor "totals:" — the file was cut short (is valgrind still writing it?)`);
  }
  return result;
}

/** The cost of one event (default Ir: instructions executed) in a part: `summary:`, else `totals:`. */
export function eventCost(part: CallgrindPart, event = 'Ir', file = 'callgrind output'): number {
  const column = part.events.indexOf(event);
  if (column < 0) throw new CallgrindFormatError(`${file}: event ${event} was not collected (events: ${part.events.join(' ')})`);
  const line = part.summary.length > 0 ? part.summary : part.totals;
  const value = line[column];
  if (value === undefined) throw new CallgrindFormatError(`${file}: the cost line has no column for ${event}`);
  return value;
}

/** Instructions of several parts together: the processes of one server (a parent and its forked workers). */
export function totalInstructions(parts: Array<{ part: CallgrindPart; file: string }>): number {
  return parts.reduce((sum, { part, file }) => sum + eventCost(part, 'Ir', file), 0);
}
