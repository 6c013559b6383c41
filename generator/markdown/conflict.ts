/**
 * A page left with a merge conflict (`<<<<<<< HEAD` … `=======` … `>>>>>>> branch`) would
 * render both sides and the markers as prose, and every directive on both sides would
 * run: book/generator/02-views.md was built that way for a while. Such a page is refused,
 * located at its first marker; markers shown in fenced code are text. Pure: no I/O.
 */
import { nextFence, type Located } from './bounds.ts';

const START = /^<{7}(?: |$)/;
const END = /^>{7}(?: |$)/;

/** The first unresolved conflict outside fenced code, or null. */
export function findConflict(source: string): Located | null {
  const lines = source.split('\n');
  let fence: ReturnType<typeof nextFence> = null;
  let start = -1;
  for (const [index, line] of lines.entries()) {
    const inFence = fence !== null;
    fence = nextFence(fence, line.replace(/^ {0,3}/, ''));
    if (inFence || fence !== null) continue;
    if (start === -1 && START.test(line)) start = index;
    else if (start !== -1 && END.test(line)) {
      return {
        line: start + 1,
        column: 1,
        reason: `an unresolved merge conflict, lines ${start + 1} to ${index + 1} ("<<<<<<<" to ">>>>>>>"): keep the text that belongs and delete the markers`,
      };
    }
  }
  return null;
}
