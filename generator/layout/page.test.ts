import { describe, expect, it } from 'vitest';
import { renderPage, renderToc, type PageView, type SiteNav } from './page.ts';

const nav: SiteNav = {
  siteTitle: 'The <Book>',
  home: { title: 'Home', outPath: 'index.html' },
  books: [
    { name: 'server', title: 'Server', chapters: [{ title: 'Preface', outPath: 'server/00-preface.html' }, { title: 'Baseline', outPath: 'server/01-baseline.html' }] },
    { name: 'client', title: 'Client', chapters: [{ title: 'Intro', outPath: 'client/00-intro.html' }] },
  ],
};

const chapter: PageView = {
  outPath: 'server/01-baseline.html',
  title: 'Baseline',
  bookTitle: 'Server',
  description: 'A "quoted" description',
  author: 'Ada <Lovelace>',
  keywords: 'performance, node.js',
  html: '<h1 id="baseline">Baseline</h1><h2 id="design">Design</h2><h3 id="poller">Poller &amp; store</h3><h2 id="numbers">Numbers</h2><p><a href="00-preface.md">back</a></p>',
  headings: [
    { depth: 2, text: 'Design', id: 'design' },
    { depth: 3, text: 'Poller & store', id: 'poller' },
    { depth: 2, text: 'Numbers', id: 'numbers' },
  ],
  previous: { title: 'Preface', outPath: 'server/00-preface.html' },
  usesMermaid: false,
  nav,
};

function hrefs(html: string): string[] {
  return [...html.matchAll(/\b(?:href|src)="([^"]*)"/g)].map((m) => m[1]);
}

describe('renderPage', () => {
  it('links a chapter page to assets, menu and neighbours relatively, never from the root', () => {
    const html = renderPage(chapter);
    const links = hrefs(html);
    expect(links).toContain('../assets/book.css');
    expect(links).toContain('../assets/book.js');
    expect(links).toContain('../index.html');
    expect(links).toContain('00-preface.html');
    expect(links).toContain('../client/00-intro.html');
    for (const link of links) expect(link, link).not.toMatch(/^\/|^[a-z]+:\/\//);
    expect(html).toContain('<script src="../assets/book.js" defer></script>');
    expect(html).not.toContain('type="module"');
  });

  it('at the site root, the same links have no ../', () => {
    const links = hrefs(renderPage({ ...chapter, outPath: 'index.html', previous: undefined, bookTitle: undefined }));
    expect(links).toContain('assets/book.css');
    expect(links).toContain('server/00-preface.html');
    expect(links.some((l) => l.startsWith('../'))).toBe(false);
  });

  it('has a table of contents of the h2/h3 sections, previous/next links and the current page marked in the menu', () => {
    const html = renderPage(chapter);
    expect(html).toContain('<li class="toc-depth-2"><a href="#design">Design</a></li>');
    expect(html).toContain('<li class="toc-depth-3"><a href="#poller">Poller &amp; store</a></li>');
    expect(html).toMatch(/<a class="pager-prev" rel="prev" href="00-preface.html">.*Preface/);
    expect(html).not.toContain('rel="next"');
    expect(html).toContain('<a href="01-baseline.html" aria-current="page">Baseline</a>');
    expect(html).toContain('<title>Baseline · Server</title>');
    expect(html).toContain('<meta name="description" content="A &quot;quoted&quot; description">');
    expect(html).toContain('<meta name="author" content="Ada &lt;Lovelace&gt;">');
    expect(html).toContain('<meta name="keywords" content="performance, node.js">');
    expect(html).toContain('<a class="site-title" href="../index.html">The &lt;Book&gt;</a>');
  });

  it("escapes quotes in layout text as the directives do (one escapeHtml: & < > \" ')", () => {
    const html = renderPage({ ...chapter, title: `Tom's "fast" <path>`, keywords: `it's` });
    expect(html).toContain('<title>Tom&#39;s &quot;fast&quot; &lt;path&gt; · Server</title>');
    expect(html).toContain('<meta name="keywords" content="it&#39;s">');
  });

  it('sets the theme before the stylesheet loads (no flash) and offers a toggle', () => {
    const html = renderPage(chapter);
    const bootstrap = html.indexOf("localStorage.getItem('book-theme')");
    expect(bootstrap).toBeGreaterThan(0);
    expect(bootstrap).toBeLessThan(html.indexOf('book.css'));
    expect(html).toContain('prefers-color-scheme: dark');
    expect(html).toContain('class="theme-toggle"');
  });

  it('loads mermaid only on pages with diagrams, before the client script', () => {
    expect(renderPage(chapter)).not.toContain('mermaid');
    const html = renderPage({ ...chapter, usesMermaid: true });
    expect(html.indexOf('../assets/mermaid.min.js')).toBeGreaterThan(0);
    expect(html.indexOf('../assets/mermaid.min.js')).toBeLessThan(html.indexOf('../assets/book.js'));
  });

  it('rewrites links to source .md files into the built pages', () => {
    expect(renderPage(chapter)).toContain('<a href="00-preface.html">back</a>');
  });

  it('places book cards at the marker of the landing page, or after its text', () => {
    const cards = [{ title: 'Server', description: 'How it got fast', chapterCount: 2, outPath: 'server/00-preface.html' }];
    const landing = { ...chapter, outPath: 'index.html', previous: undefined, cards };
    const marked = renderPage({ ...landing, html: '<h1>Home</h1><!-- books --><p>after</p>' });
    expect(marked).toMatch(/<h1>Home<\/h1><section class="book-cards"[\s\S]*How it got fast[\s\S]*2 pages[\s\S]*<\/section><p>after<\/p>/);
    expect(marked).toContain('href="server/00-preface.html"');
    const appended = renderPage({ ...landing, html: '<h1>Home</h1>' });
    expect(appended.indexOf('book-cards')).toBeGreaterThan(appended.indexOf('<h1>Home</h1>'));
  });

  it('a page built alone has no menu and no pager', () => {
    const html = renderPage({ outPath: 'old-book.html', title: 'Old book', html: '<h1>Old</h1>', headings: [], usesMermaid: false });
    expect(html).not.toContain('site-menu');
    expect(html).not.toContain('menu-toggle');
    expect(html).not.toContain('class="pager"');
    expect(html).toContain('href="assets/book.css"');
  });
});

describe('renderToc', () => {
  it('is left out when a page has fewer than two sections', () => {
    expect(renderToc([{ depth: 2, text: 'Only', id: 'only' }])).toBe('');
    expect(renderToc([{ depth: 4, text: 'a', id: 'a' }, { depth: 5, text: 'b', id: 'b' }])).toBe('');
  });
});
