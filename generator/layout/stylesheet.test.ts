import { describe, expect, it } from 'vitest';
import { buildStylesheet, scopeCss } from './stylesheet.ts';

describe('stylesheet', () => {
  it('scopes every selector of a theme to its theme attribute', () => {
    expect(scopeCss('/* c */ .hljs { color: red }\n.a,\n.b .c { color: blue; }', '[data-theme="dark"]')).toBe(
      '[data-theme="dark"] .hljs {\n  color: red\n}\n[data-theme="dark"] .a,\n[data-theme="dark"] .b .c {\n  color: blue;\n}',
    );
    expect(() => scopeCss('@media print { .a { color: red } }', ':root')).toThrow(/@-rules/);
  });

  it('has light and dark code colours and no absolute or remote URLs', () => {
    const css = buildStylesheet();
    expect(css).toContain(':root:not([data-theme="dark"]) .hljs-keyword');
    expect(css).toContain(':root[data-theme="dark"] .hljs-keyword');
    expect(css).toContain('.directive-error');
    expect(css).toMatch(/\.directive-example \{[^}]*grid-template-columns: repeat\(auto-fit, minmax\(min\(100%, 20rem\), 1fr\)\)/);
    expect(css).not.toMatch(/url\(|@import|https?:/);
  });
});
