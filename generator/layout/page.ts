/**
 * The page template: header with menu and theme toggle, the menu across books, the
 * page's table of contents, the rendered Markdown, previous/next links. Pure: data in,
 * one HTML string out; every link in it is relative to the page's own location.
 */
import { relativeHref, rewriteMarkdownLinks, rootPrefix } from './paths.ts';
import { escapeHtml } from '../directives/escape.ts';

export interface TocHeading {
  depth: number;
  text: string;
  id: string;
}

export interface NavLink {
  title: string;
  /** Site-root-relative output path, e.g. `server/01-baseline.html`. */
  outPath: string;
}

export interface NavBook {
  name: string;
  title: string;
  chapters: NavLink[];
}

export interface SiteNav {
  siteTitle: string;
  /** The landing page, when the book has one. */
  home?: NavLink;
  books: NavBook[];
}

export interface BookCard {
  title: string;
  description?: string;
  chapterCount: number;
  /** Where reading starts: the book's first chapter. */
  outPath: string;
  /** The book's PDF edition, when the build prints one (--pdf). */
  pdf?: string;
}

export interface PageView {
  outPath: string;
  /** The page's own title (its @meta title or first heading). */
  title: string;
  /** The book it belongs to, shown in the browser title after the page title. */
  bookTitle?: string;
  description?: string;
  /** From @meta author and keywords: `<meta name="author">`, `<meta name="keywords">`. */
  author?: string;
  keywords?: string;
  /** From @meta lang; default "en". */
  lang?: string;
  /** Rendered Markdown (from the core's renderMarkdown). */
  html: string;
  headings: TocHeading[];
  previous?: NavLink;
  next?: NavLink;
  usesMermaid: boolean;
  /** Menu across books; absent for a page built alone (--input). */
  nav?: SiteNav;
  /** The landing page lists the books as cards. */
  cards?: BookCard[];
}

export const ASSETS = {
  css: 'assets/book.css',
  script: 'assets/book.js',
  mermaid: 'assets/mermaid.min.js',
  favicon: 'assets/favicon.svg',
} as const;

/** Marker an index.md may contain to choose where the book cards go (default: after the text). */
export const CARDS_MARKER = '<!-- books -->';

/**
 * Runs before the first paint, so the page never flashes the wrong theme: the stored
 * choice, else the system preference. Inline (not a file) so nothing can delay it.
 */
const THEME_BOOTSTRAP =
  "(function(){var t;try{t=localStorage.getItem('book-theme')}catch(e){}" +
  "if(t!=='dark'&&t!=='light'){t=window.matchMedia&&matchMedia('(prefers-color-scheme: dark)').matches?'dark':'light'}" +
  "document.documentElement.setAttribute('data-theme',t)})();";

export function renderPage(view: PageView): string {
  const root = rootPrefix(view.outPath);
  const href = (toPath: string) => relativeHref(view.outPath, toPath);
  const documentTitle = view.bookTitle && view.bookTitle !== view.title ? `${view.title} · ${view.bookTitle}` : view.title;
  const siteTitle = view.nav?.siteTitle ?? view.title;
  const homeHref = view.nav?.home ? href(view.nav.home.outPath) : href(view.outPath);
  const body = rewriteMarkdownLinks(view.html, view.outPath);
  const content = view.cards ? placeCards(body, renderCards(view.cards, href)) : body;
  const toc = renderToc(view.headings);
  const menu = view.nav ? renderMenu(view.nav, view.outPath, href) : '';

  return `<!doctype html>
<html lang="${escapeHtml(view.lang ?? 'en')}" data-theme="light">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(documentTitle)}</title>
${metaTags(view)}<script>${THEME_BOOTSTRAP}</script>
<link rel="icon" href="${root}${ASSETS.favicon}" type="image/svg+xml">
<link rel="stylesheet" href="${root}${ASSETS.css}">
${view.usesMermaid ? `<script src="${root}${ASSETS.mermaid}" defer></script>\n` : ''}<script src="${root}${ASSETS.script}" defer></script>
</head>
<body class="${view.nav ? 'has-menu' : 'no-menu'}${toc ? ' has-toc' : ''}">
<a class="skip-link" href="#content">Skip to content</a>
<header class="site-header">
${view.nav ? '<button class="menu-toggle" type="button" aria-controls="site-menu" aria-expanded="false"><span class="menu-icon" aria-hidden="true"></span><span class="visually-hidden">Menu</span></button>\n' : ''}<a class="site-title" href="${escapeHtml(homeHref)}">${escapeHtml(siteTitle)}</a>
<button class="theme-toggle" type="button" aria-label="Dark theme" aria-pressed="false" title="Switch between light and dark theme"><span class="theme-icon" aria-hidden="true"></span></button>
</header>
<div class="layout">
${menu}<main id="content" class="content">
${toc}<article class="page">
${content}
</article>
${renderPager(view, href)}</main>
</div>
</body>
</html>
`;
}

function renderMenu(nav: SiteNav, current: string, href: (to: string) => string): string {
  const link = (target: NavLink, className = '') => {
    const isCurrent = target.outPath === current;
    return `<a${className ? ` class="${className}"` : ''} href="${escapeHtml(href(target.outPath))}"${isCurrent ? ' aria-current="page"' : ''}>${escapeHtml(target.title)}</a>`;
  };
  const home = nav.home ? `<p class="menu-home">${link(nav.home)}</p>\n` : '';
  const books = nav.books
    .map((book) => {
      const chapters = book.chapters.map((chapter) => `<li>${link(chapter)}</li>`).join('\n');
      return `<section class="menu-book">\n<h2 class="menu-book-title">${escapeHtml(book.title)}</h2>\n<ol>\n${chapters}\n</ol>\n</section>`;
    })
    .join('\n');
  return `<nav id="site-menu" class="site-menu" aria-label="Books">\n${home}${books}\n</nav>\n`;
}

/** Sections of the page (h2, h3); the h1 is the page title itself. */
export function renderToc(headings: TocHeading[]): string {
  const entries = headings.filter((h) => h.depth >= 2 && h.depth <= 3 && h.id);
  if (entries.length < 2) return '';
  const items = entries
    .map((h) => `<li class="toc-depth-${h.depth}"><a href="#${escapeHtml(h.id)}">${escapeHtml(h.text)}</a></li>`)
    .join('\n');
  return `<nav class="toc" aria-label="On this page">\n<details open>\n<summary>On this page</summary>\n<ol>\n${items}\n</ol>\n</details>\n</nav>\n`;
}

function renderPager(view: PageView, href: (to: string) => string): string {
  if (!view.previous && !view.next) return '';
  const side = (target: NavLink | undefined, rel: 'prev' | 'next', label: string) =>
    target
      ? `<a class="pager-${rel}" rel="${rel}" href="${escapeHtml(href(target.outPath))}"><span class="pager-label">${label}</span><span class="pager-title">${escapeHtml(target.title)}</span></a>`
      : `<span class="pager-${rel}"></span>`;
  return `<nav class="pager" aria-label="Chapters">\n${side(view.previous, 'prev', 'Previous')}\n${side(view.next, 'next', 'Next')}\n</nav>\n`;
}

export function renderCards(cards: BookCard[], href: (to: string) => string): string {
  if (cards.length === 0) return '';
  const items = cards
    .map(
      (card) => `<li class="book-card">
<a href="${escapeHtml(href(card.outPath))}">
<h3 class="book-card-title">${escapeHtml(card.title)}</h3>
${card.description ? `<p class="book-card-description">${escapeHtml(card.description)}</p>\n` : ''}<p class="book-card-meta">${card.chapterCount} ${card.chapterCount === 1 ? 'page' : 'pages'} · start reading →</p>
</a>
${card.pdf ? `<p class="book-card-pdf"><a href="${escapeHtml(href(card.pdf))}">PDF edition</a></p>\n` : ''}</li>`,
    )
    .join('\n');
  return `<section class="book-cards" aria-label="Books">\n<ul>\n${items}\n</ul>\n</section>`;
}

function placeCards(html: string, cards: string): string {
  return html.includes(CARDS_MARKER) ? html.replace(CARDS_MARKER, cards) : `${html}\n${cards}`;
}

/** The page's <meta name> tags from its @meta values (description, author, keywords). */
function metaTags(view: PageView): string {
  const tags: [string, string | undefined][] = [
    ['description', view.description],
    ['author', view.author],
    ['keywords', view.keywords],
  ];
  return tags
    .filter((tag): tag is [string, string] => tag[1] !== undefined && tag[1] !== '')
    .map(([name, content]) => `<meta name="${name}" content="${escapeHtml(content)}">\n`)
    .join('');
}
