/**
 * Links between pages of the site. Every href is relative, so the site works from
 * file:// and from any sub-path (GitHub Pages project sites); never a leading '/'.
 */
import { posix } from 'node:path';

/** The href that leads from the page at `fromPath` to `toPath` (both relative to the site root, '/'-separated). */
export function relativeHref(fromPath: string, toPath: string): string {
  const href = posix.relative(posix.dirname(fromPath), toPath);
  return href === '' ? posix.basename(toPath) : href;
}

/** The prefix that leads from a page back to the site root: '' at the root, '../' one folder down. */
export function rootPrefix(fromPath: string): string {
  const depth = fromPath.split('/').length - 1;
  return '../'.repeat(depth);
}

/**
 * Authors link chapters by their source names (`[chapter 1](01-baseline.md)`), which
 * also works on GitHub; in the site those pages are `.html`. Rewrites relative links
 * to `*.md` (optionally with a #fragment or ?query); absolute URLs stay as they are, and
 * so do links that climb above the site's root from `fromPath` (the page's own path):
 * those lead into the repository (`../../docs/spec/directives.md`), not to a page.
 */
export function rewriteMarkdownLinks(html: string, fromPath?: string): string {
  const depth = fromPath === undefined ? Infinity : fromPath.split('/').length - 1;
  return html.replace(/(<a\s[^>]*?\bhref=")([^"]*)"/g, (whole, start: string, href: string) => {
    if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('/') || href.startsWith('#')) return whole;
    if (climbsAbove(href, depth)) return whole;
    const rewritten = href.replace(/\.md(?=$|[#?])/i, '.html');
    return `${start}${rewritten}"`;
  });
}

/** Whether a relative href leaves a folder `depth` levels below the root. */
function climbsAbove(href: string, depth: number): boolean {
  let level = depth;
  for (const segment of href.split(/[?#]/)[0].split('/')) {
    if (segment === '..') level -= 1;
    else if (segment !== '.' && segment !== '') level += 1;
    if (level < 0) return true;
  }
  return false;
}
