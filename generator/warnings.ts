/**
 * Warnings as printed: the same reason at many places is one line with a count and the
 * first few places, so a page with 100,000 copies of one mistake prints a few lines.
 */

/** Places listed after the first for a folded warning. */
const PLACES_SHOWN = 3;

/** `file:line:col @name: reason` → one line per distinct `@name: reason`, in order of first appearance. */
export function foldWarnings(warnings: string[]): string[] {
  const groups = new Map<string, string[]>();
  for (const warning of warnings) {
    const match = /^(.*?:\d+:\d+:?) (.*)$/s.exec(warning); // `file:line:col @name: reason` or `file:line:col: reason`
    const [place, reason] = match ? [match[1], match[2]] : ['', warning];
    const places = groups.get(reason);
    if (places) places.push(place);
    else groups.set(reason, [place]);
  }
  return [...groups].map(([reason, places]) => {
    const first = places[0] === '' ? reason : `${places[0]} ${reason}`;
    if (places.length === 1) return first;
    const more = places.length - 1;
    const shown = places.slice(1, 1 + PLACES_SHOWN).map((place) => place.replace(/:$/, '')).join(', ');
    const rest = more > PLACES_SHOWN ? `, … ${(more - PLACES_SHOWN).toLocaleString('en-US')} more` : '';
    return `${first} (${places.length.toLocaleString('en-US')} times; also at ${shown}${rest})`;
  });
}
