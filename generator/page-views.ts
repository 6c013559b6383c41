/**
 * From rendered pages to the site's page views (pure): the landing page with its book cards,
 * each chapter with the menu and previous/next links, a book's print page, the single page of
 * a one-file build, and the generated appendix listed after the books.
 */
import { ERRATA_PAGE, ERRATA_TITLE } from './appendix/errata.ts';
import { MEASUREMENTS_PAGE, MEASUREMENTS_TITLE } from './appendix/measurements.ts';
import type { DirectiveError } from './directives/errors.ts';
import { escapeHtml } from './directives/escape.ts';
import type { SourcePage } from './discover.ts';
import type { BookCard, NavLink, PageView, SiteNav } from './layout/page.ts';
import type { RenderedPage } from './markdown/render.ts';

export interface RenderedSource {
  source: SourcePage;
  page: CachedPage & { errors: DirectiveError[] };
  /** The page's own heading, for menus: its first h1, else its @meta title, else the file name. */
  navTitle: string;
}

/** What the page cache keeps of a rendered page (a page with errors is not kept). */
export type CachedPage = Omit<RenderedPage, 'errors'>;

/** A book's print page: its title, a table of contents, then every chapter, each starting a new page. */
export function printView(book: { name: string; chapters: RenderedSource[] }): PageView {
  const title = book.chapters[0].page.meta.title ?? book.chapters[0].navTitle ?? book.name;
  const contents = book.chapters.map((chapter, i) => `<li><a href="#chapter-${i + 1}">${escapeHtml(chapter.navTitle)}</a></li>`).join('\n');
  const chapters = book.chapters.map((chapter, i) => `<section class="print-chapter" id="chapter-${i + 1}">\n${chapter.page.html}\n</section>`).join('\n');
  return {
    outPath: `${book.name}.print.html`,
    title,
    html: `<h1 class="print-title">${escapeHtml(title)}</h1>\n<nav class="print-toc"><h2>Contents</h2>\n<ol>\n${contents}\n</ol></nav>\n${chapters}`,
    headings: [],
    usesMermaid: book.chapters.some((chapter) => chapter.page.usesMermaid),
  };
}

export function bookPageViews(rendered: { index: RenderedSource | null; books: { name: string; chapters: RenderedSource[] }[] }, printing: boolean): PageView[] {
  const bookTitle = (book: { name: string; chapters: RenderedSource[] }) => {
    const first = book.chapters[0];
    return first.page.meta.title ?? first.navTitle ?? book.name;
  };
  const siteTitle = rendered.index ? (rendered.index.page.title ?? 'The book') : 'Books';
  const nav: SiteNav = {
    siteTitle,
    home: { title: 'Home', outPath: 'index.html' },
    books: rendered.books.map((book) => ({
      name: book.name,
      title: bookTitle(book),
      chapters: book.chapters.map((c): NavLink => ({ title: c.navTitle, outPath: c.source.outPath })),
    })),
  };
  const cards: BookCard[] = rendered.books.map((book) => ({
    title: bookTitle(book),
    description: book.chapters[0].page.meta.description,
    chapterCount: book.chapters.length,
    outPath: book.chapters[0].source.outPath,
    pdf: printing ? `${book.name}.pdf` : undefined,
  }));

  const views: PageView[] = [];
  const index = rendered.index;
  views.push({
    outPath: 'index.html',
    title: siteTitle,
    description: index?.page.meta.description,
    author: index?.page.meta.author,
    keywords: index?.page.meta.keywords,
    lang: index?.page.meta.lang,
    html: index ? index.page.html : `<h1>${siteTitle}</h1>`,
    headings: index?.page.headings ?? [],
    usesMermaid: index?.page.usesMermaid ?? false,
    nav,
    cards,
    next: cards[0] ? { title: cards[0].title, outPath: cards[0].outPath } : undefined,
  });
  for (const book of rendered.books) {
    const title = bookTitle(book);
    book.chapters.forEach((chapter, i) => {
      const link = (c: RenderedSource | undefined): NavLink | undefined => (c ? { title: c.navTitle, outPath: c.source.outPath } : undefined);
      views.push({
        outPath: chapter.source.outPath,
        title: chapter.navTitle,
        bookTitle: title,
        description: chapter.page.meta.description,
        author: chapter.page.meta.author,
        keywords: chapter.page.meta.keywords,
        lang: chapter.page.meta.lang,
        html: chapter.page.html,
        headings: chapter.page.headings,
        usesMermaid: chapter.page.usesMermaid,
        nav,
        previous: link(book.chapters[i - 1]),
        next: link(book.chapters[i + 1]),
      });
    });
  }
  return views;
}

/** Adds the generated appendix to the site (errata, measurements), listed in the menu after the books. */
export function addAppendix(views: PageView[], measurements: string, errata: string): PageView[] {
  const nav = views[0].nav as SiteNav;
  const pages = [
    { outPath: ERRATA_PAGE, title: ERRATA_TITLE, html: errata, description: 'Each chapter\'s share of the reference in the latest edition against the edition before it, judged against the noise between editions.' },
    { outPath: MEASUREMENTS_PAGE, title: MEASUREMENTS_TITLE, html: measurements, description: 'Every benchmark session behind the numbers of this book, with its machine, tool and settings.' },
  ];
  nav.books.push({ name: 'appendix', title: 'Appendix', chapters: pages.map((page): NavLink => ({ title: page.title, outPath: page.outPath })) });
  return [...views, ...pages.map((page): PageView => ({ ...page, headings: [], usesMermaid: false, nav }))];
}

export function singlePageView(single: RenderedSource): PageView {
  return {
    outPath: single.source.outPath,
    title: single.page.title ?? single.navTitle,
    description: single.page.meta.description,
    author: single.page.meta.author,
    keywords: single.page.meta.keywords,
    lang: single.page.meta.lang,
    html: single.page.html,
    headings: single.page.headings,
    usesMermaid: single.page.usesMermaid,
  };
}
