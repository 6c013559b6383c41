import { describe, expect, it } from 'vitest';
import { relativeHref, rewriteMarkdownLinks, rootPrefix } from './paths.ts';

describe('relative links', () => {
  it('lead between pages at any depth without a leading slash', () => {
    expect(relativeHref('index.html', 'server/01-baseline.html')).toBe('server/01-baseline.html');
    expect(relativeHref('server/01-baseline.html', 'index.html')).toBe('../index.html');
    expect(relativeHref('server/00-preface.html', 'server/01-baseline.html')).toBe('01-baseline.html');
    expect(relativeHref('server/00-preface.html', 'client/00-intro.html')).toBe('../client/00-intro.html');
    expect(relativeHref('server/00-preface.html', 'server/00-preface.html')).toBe('00-preface.html');
    expect(rootPrefix('index.html')).toBe('');
    expect(rootPrefix('server/01-baseline.html')).toBe('../');
  });

  it('turn source links to .md into links to the built .html, leaving absolute URLs alone', () => {
    const html = [
      '<a href="01-baseline.md">next</a>',
      '<a href="../other/00-intro.md#setup">other</a>',
      '<a class="x" href="https://example.com/README.md">external</a>',
      '<a href="#readme.md">anchor</a>',
      '<a href="notes.mdx">mdx</a>',
    ].join('\n');
    expect(rewriteMarkdownLinks(html)).toBe(
      [
        '<a href="01-baseline.html">next</a>',
        '<a href="../other/00-intro.html#setup">other</a>',
        '<a class="x" href="https://example.com/README.md">external</a>',
        '<a href="#readme.md">anchor</a>',
        '<a href="notes.mdx">mdx</a>',
      ].join('\n'),
    );
  });

  it('leaves links that climb out of the site (into the repository) as they are', () => {
    const spec = '<a href="../../docs/spec/directives.md#limits">spec</a>';
    expect(rewriteMarkdownLinks(spec, 'generator/00-introduction.html')).toBe(spec);
    expect(rewriteMarkdownLinks('<a href="../docs/x.md">x</a>', 'index.html')).toBe('<a href="../docs/x.md">x</a>');
    expect(rewriteMarkdownLinks('<a href="../server/00-preface.md">p</a>', 'generator/00-introduction.html')).toBe('<a href="../server/00-preface.html">p</a>');
    expect(rewriteMarkdownLinks('<a href="sub/../../x.md">x</a>', 'generator/a.html')).toBe('<a href="sub/../../x.html">x</a>');
  });
});
