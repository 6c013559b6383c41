/**
 * The site's stylesheet: layout/book.css followed by highlight.js's GitHub themes,
 * each scoped to its theme attribute so code follows the theme toggle.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Light applies whenever the page is not dark, so code is coloured even without JavaScript. */
const LIGHT_SCOPE = ':root:not([data-theme="dark"])';
const DARK_SCOPE = ':root[data-theme="dark"]';

export function buildStylesheet(): string {
  const own = readFileSync(new URL('./book.css', import.meta.url), 'utf8');
  const light = readFileSync(require.resolve('highlight.js/styles/github.css'), 'utf8');
  const dark = readFileSync(require.resolve('highlight.js/styles/github-dark.css'), 'utf8');
  return [
    own,
    '/* Syntax highlighting: highlight.js "GitHub" (light) and "GitHub Dark", BSD-3-Clause. */',
    scopeCss(light, LIGHT_SCOPE),
    scopeCss(dark, DARK_SCOPE),
    // The code block's frame comes from book.css; the theme supplies colours only.
    'pre code.hljs { padding: 0.9rem 1rem; }\n.hljs { background: transparent; }\n',
  ].join('\n');
}

/**
 * Prefixes every selector of a flat stylesheet (rules only, no @-blocks — which is what
 * highlight.js themes are) with `scope`. Comments are dropped.
 */
export function scopeCss(css: string, scope: string): string {
  const withoutComments = css.replace(/\/\*[\s\S]*?\*\//g, '');
  if (/@[a-z-]+/i.test(withoutComments)) throw new Error('scopeCss: @-rules are not supported');
  const rules: string[] = [];
  const rule = /([^{}]+)\{([^{}]*)\}/g;
  for (let match = rule.exec(withoutComments); match; match = rule.exec(withoutComments)) {
    const selectors = match[1]
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => `${scope} ${s}`);
    rules.push(`${selectors.join(',\n')} {${match[2].trim() ? `\n  ${match[2].trim().replace(/\s*\n\s*/g, '\n  ')}\n` : ''}}`);
  }
  return rules.join('\n');
}
