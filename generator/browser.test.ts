/**
 * The built site in a real browser (Chromium, headless): every page of a fixture book
 * loads without console errors or failed requests, charts draw pixels, Mermaid renders
 * from the local copy, the theme toggle switches and is remembered, every internal link
 * resolves — served over http on a localhost port and opened from file://.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateChromium, processEnvironment } from '../bench/testing/requirements.ts';
import { buildSite } from './build.ts';
import { serveDirectory, type StaticServer } from './serve.ts';
import { FIXTURE_PAGES, writeFixtureBook } from './test-fixtures/book.ts';
import { writeTestDatabase } from './test-fixtures/bench-db.ts';

let workDir: string;
let outDir: string;
let server: StaticServer;
let browser: Browser;
let profileDir: string;

/** The browser the suite's global setup checked for (bench/testing/requirements.ts). */
async function chromiumPath(): Promise<string> {
  return (await locateChromium(processEnvironment())).path ?? puppeteer.executablePath();
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'book-browser-'));
  const bookDir = join(workDir, 'book');
  outDir = join(workDir, 'site');
  writeFixtureBook(bookDir);
  const data = await writeTestDatabase(join(workDir));
  const result = await buildSite({ bookDir, db: data.db, chapters: data.chapters, out: outDir, keepGoing: false, strict: false, quiet: true });
  expect(result.pages.sort()).toEqual([...FIXTURE_PAGES].sort());
  expect(result.charts).toBe(3);
  server = await serveDirectory(outDir, { port: 0 });
  browser = await puppeteer.launch({
    executablePath: await chromiumPath(),
    userDataDir: (profileDir = mkdtempSync(join(tmpdir(), 'book-chromium-'))),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

interface PageProblems {
  consoleErrors: string[];
  failedRequests: string[];
  foreignRequests: string[];
}

/** Opens a page, recording console errors, failed requests and any request leaving the site. */
async function openPage(url: string, allowedPrefix: string, viewport?: { width: number; height: number }): Promise<{ page: Page; problems: PageProblems }> {
  const page = await browser.newPage();
  if (viewport) await page.setViewport(viewport);
  const problems: PageProblems = { consoleErrors: [], failedRequests: [], foreignRequests: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') problems.consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => problems.consoleErrors.push(String(error)));
  page.on('requestfailed', (request) => problems.failedRequests.push(`${request.url()} (${request.failure()?.errorText})`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.failedRequests.push(`${response.url()} → ${response.status()}`);
  });
  page.on('request', (request) => {
    const target = request.url();
    if (!target.startsWith(allowedPrefix) && !target.startsWith('data:') && !target.startsWith('blob:')) problems.foreignRequests.push(target);
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems };
}

/** Non-transparent pixels of every chart canvas on the page, once all have drawn something. */
async function chartPixels(page: Page): Promise<number[]> {
  const count = () =>
    [...document.querySelectorAll<HTMLCanvasElement>('figure.chart canvas')].map((canvas) => {
      const context = canvas.getContext('2d');
      if (!context || canvas.width === 0 || canvas.height === 0) return 0;
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let drawn = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) drawn++;
      return drawn;
    });
  await page.waitForFunction(`(${count.toString()})().every((n) => n > 0)`, { timeout: 30_000 }).catch(() => undefined);
  return page.evaluate(count);
}

describe('the built site in Chromium', () => {
  // One visit per page (each costs seconds of Chromium on a loaded 2-core machine): the page's
  // own errors and requests, its charts and diagrams, its code blocks at desktop width, its links.
  it('loads every page over http without console errors, failed or outside requests; charts draw; no code block or table runs past the text column on a desktop; every internal link resolves', async () => {
    const checked = new Set<string>();
    for (const path of FIXTURE_PAGES) {
      const { page, problems } = await openPage(new URL(path, server.url).href, server.url, { width: 1280, height: 900 });
      const expectedCharts = path === 'alpha/00-intro.html' || path === 'alpha/01-more.html' || path === 'beta/00-only.html' ? 1 : 0;
      const pixels = await chartPixels(page);
      expect(pixels, path).toHaveLength(expectedCharts);
      for (const drawn of pixels) expect(drawn, `${path}: chart pixels`).toBeGreaterThan(0);
      if (path === 'alpha/00-intro.html') {
        await page.waitForSelector('pre.mermaid svg', { timeout: 30_000 });
        expect(await page.$$eval('pre.mermaid svg', (svgs) => svgs.length)).toBe(1);
        expect(await page.$$eval('code.hljs .hljs-keyword', (nodes) => nodes.length)).toBeGreaterThan(0);
        expect(await page.$$eval('table th', (cells) => cells.map((c) => c.textContent))).toEqual(['Version', 'Technique', 'RPS']);
      }
      expect(problems, path).toEqual({ consoleErrors: [], failedRequests: [], foreignRequests: [] });

      const blocks = await page.$$eval('pre', (pres) =>
        pres.map((pre) => pre.getBoundingClientRect().right - ((pre.closest('.page') as HTMLElement).getBoundingClientRect().right + 0.5)),
      );
      for (const excess of blocks) expect(excess, `${path}: code block past the text column`).toBeLessThanOrEqual(0);

      // Tables: none wider than the text column; one whose columns need more room scrolls inside its own box.
      const tables = await page.$$eval('table', (elements) =>
        elements.map((table) => ({
          excess: table.getBoundingClientRect().right - ((table.closest('.page') as HTMLElement).getBoundingClientRect().right + 0.5),
          overflows: table.scrollWidth > table.clientWidth,
          scrollable: ['auto', 'scroll'].includes(getComputedStyle(table).overflowX),
        })),
      );
      for (const table of tables) {
        expect(table.excess, `${path}: table past the text column`).toBeLessThanOrEqual(0);
        if (table.overflows) expect(table.scrollable, `${path}: a wide table scrolls inside its box`).toBe(true);
      }

      const links = await page.$$eval('a[href]', (anchors) =>
        anchors
          .map((a) => a.getAttribute('href') as string)
          .filter((href) => !/^(https?:|#|mailto:)/.test(href))
          .map((href) => new URL(href, location.href).href),
      );
      expect(links.length, path).toBeGreaterThan(0);
      for (const link of links) {
        const target = link.replace(/#.*$/, '');
        if (checked.has(target)) continue;
        checked.add(target);
        const response = await fetch(target);
        expect(response.status, `${path} → ${link}`).toBe(200);
      }
      await page.close();
    }
    expect(checked.size).toBeGreaterThanOrEqual(FIXTURE_PAGES.length);
  }, 240_000);

  it('the theme toggle switches theme and background, redraws charts and is remembered', async () => {
    const { page, problems } = await openPage(new URL('alpha/01-more.html', server.url).href, server.url);
    await chartPixels(page);
    const state = () =>
      page.evaluate(() => ({
        theme: document.documentElement.getAttribute('data-theme'),
        background: getComputedStyle(document.body).backgroundColor,
        pressed: document.querySelector('.theme-toggle')?.getAttribute('aria-pressed'),
      }));
    const before = await state();
    await page.click('.theme-toggle');
    const after = await state();
    expect(before.theme === 'light' || before.theme === 'dark').toBe(true);
    expect(after.theme).toBe(before.theme === 'dark' ? 'light' : 'dark');
    expect(after.background).not.toBe(before.background);
    expect(after.pressed).toBe(String(after.theme === 'dark'));
    const pixels = await chartPixels(page);
    expect(pixels[0]).toBeGreaterThan(0);

    await page.reload({ waitUntil: 'load' });
    expect((await state()).theme).toBe(after.theme);
    await page.click('.theme-toggle');
    expect((await state()).theme).toBe(before.theme);
    expect(problems.consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it('diagrams are drawn again in the new theme', async () => {
    const { page, problems } = await openPage(new URL('alpha/00-intro.html', server.url).href, server.url);
    await page.waitForSelector('pre.mermaid svg', { timeout: 30_000 });
    const before = await page.$eval('pre.mermaid svg', (svg) => svg.outerHTML);
    await page.click('.theme-toggle');
    await page.waitForFunction((old) => {
      const svg = document.querySelector('pre.mermaid svg');
      return svg !== null && svg.outerHTML !== old;
    }, { timeout: 30_000 }, before);
    expect(await page.$$eval('pre.mermaid svg', (svgs) => svgs.length)).toBe(1);
    expect(problems).toEqual({ consoleErrors: [], failedRequests: [], foreignRequests: [] });
    await page.close();
  }, 60_000);

  it('on a phone the menu collapses behind its button and nothing is wider than the screen', async () => {
    const { page, problems } = await openPage('about:blank', 'about:blank');
    await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true });
    await page.goto(new URL('alpha/00-intro.html', server.url).href, { waitUntil: 'load' });
    const menuVisible = () => page.$eval('#site-menu', (menu) => getComputedStyle(menu).display !== 'none');
    expect(await menuVisible()).toBe(false);
    await page.click('.menu-toggle');
    expect(await menuVisible()).toBe(true);
    expect(await page.$eval('.menu-toggle', (b) => b.getAttribute('aria-expanded'))).toBe('true');
    await page.keyboard.press('Escape');
    expect(await menuVisible()).toBe(false);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(problems.consoleErrors).toEqual([]);
    await page.close();
  }, 60_000);

  it('reading on a phone: diagrams keep readable text and scroll in place, wide tables keep their first column, code scrolls inside its block, the timeline is a timeline', async () => {
    const { page, problems } = await openPage('about:blank', 'about:blank');
    await page.setViewport({ width: 390, height: 844, isMobile: true, hasTouch: true });
    await page.goto(new URL('beta/00-only.html', server.url).href, { waitUntil: 'load' });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);

    // The wide diagram: drawn at its natural size (Mermaid's 16 px text), its box scrolls.
    await page.waitForSelector('pre.mermaid svg[data-natural-width]', { timeout: 30_000 });
    const diagram = await page.$eval('pre.mermaid', (box) => {
      const svg = box.querySelector('svg') as SVGSVGElement;
      const label = box.querySelector('.nodeLabel, text') as Element;
      return {
        natural: Number(svg.dataset.naturalWidth),
        drawn: svg.getBoundingClientRect().width,
        scrolls: box.scrollWidth > box.clientWidth,
        labelHeight: label.getBoundingClientRect().height,
      };
    });
    expect(diagram.natural).toBeGreaterThan(390);
    expect(Math.round(diagram.drawn)).toBe(Math.round(diagram.natural));
    expect(diagram.scrolls).toBe(true);
    expect(diagram.labelHeight).toBeGreaterThanOrEqual(12);

    // The wide table: scrolled sideways, its first column stays where it was.
    const table = await page.evaluate(() => {
      const element = [...document.querySelectorAll('table')].find((t) => t.querySelectorAll('th').length >= 10) as HTMLTableElement;
      const first = () => element.querySelector('tbody td') as HTMLElement;
      const second = () => element.querySelector('tbody td:nth-child(2)') as HTMLElement;
      const before = { first: first().getBoundingClientRect().left, second: second().getBoundingClientRect().left };
      element.scrollLeft = 150;
      return { scrolled: element.scrollLeft, before, after: { first: first().getBoundingClientRect().left, second: second().getBoundingClientRect().left } };
    });
    expect(table.scrolled).toBeGreaterThan(0);
    expect(table.after.first).toBe(table.before.first);
    expect(table.after.second).toBeLessThan(table.before.second);

    // Code: the long line scrolls inside the block; the block ends inside the screen.
    const code = await page.$$eval('pre > code', (blocks) =>
      blocks.map((block) => ({
        right: (block.parentElement as HTMLElement).getBoundingClientRect().right,
        overflows: block.scrollWidth > block.clientWidth,
        scrollable: ['auto', 'scroll'].includes(getComputedStyle(block).overflowX),
      })),
    );
    expect(code.length).toBeGreaterThan(0);
    for (const block of code) {
      expect(block.right).toBeLessThanOrEqual(390);
      if (block.overflows) expect(block.scrollable).toBe(true);
    }
    expect(code.some((block) => block.overflows)).toBe(true);

    // The @git timeline: no list numbers, a line down the side, a dot per chapter.
    const timeline = await page.$eval('ol.git-timeline', (list) => ({
      marker: getComputedStyle(list).listStyleType,
      line: parseFloat(getComputedStyle(list).borderLeftWidth),
      dot: getComputedStyle(list.querySelector('li') as Element, '::before').content,
    }));
    expect(timeline).toEqual({ marker: 'none', line: 3, dot: '""' });

    expect(problems.consoleErrors).toEqual([]);
    await page.close();
  }, 90_000);

  it("a directive's source and its output sit side by side on a desktop, one above the other on a phone", async () => {
    // One load, two widths: the grid (auto-fit columns) follows the viewport, not the load.
    const { page } = await openPage(new URL('alpha/01-more.html', server.url).href, server.url, { width: 1280, height: 900 });
    for (const [width, sideBySide] of [[1280, true], [390, false]] as const) {
      await page.setViewport({ width, height: 900 });
      const [source, output] = await page.$$eval('.directive-example > div', (halves) =>
        halves.map((half) => {
          const box = half.getBoundingClientRect();
          return { top: box.top, bottom: box.bottom, left: box.left, right: box.right };
        }),
      );
      if (sideBySide) {
        expect(output.left, `${width}px`).toBeGreaterThan(source.right);
        expect(output.top, `${width}px`).toBe(source.top);
      } else {
        expect(output.top, `${width}px`).toBeGreaterThan(source.bottom);
        expect(output.left, `${width}px`).toBe(source.left);
      }
    }
    await page.close();
  }, 90_000);

  it('without JavaScript, a measured number names its source on hover and links to its session in the appendix', async () => {
    const page = await browser.newPage();
    await page.setJavaScriptEnabled(false);
    await page.goto(new URL('index.html', server.url).href, { waitUntil: 'load' });
    const source = await page.$eval('a.metric-source', (link) => ({ href: link.getAttribute('href'), title: link.querySelector('.metric')?.getAttribute('title') }));
    expect(source.href).toBe('measurements.html#session-1');
    expect(source.title).toMatch(/^Session 1, 2026-01-01; autocannon 9\.0\.0; Test CPU \(2 cores\); median of 3 runs; 95% CI /);
    await page.click('a.metric-source');
    await page.waitForFunction(() => location.pathname.endsWith('/measurements.html'));
    expect(await page.$eval('#session-1 h2', (h) => h.textContent)).toBe('Session 1');
    await page.close();
  }, 60_000);

  it('opened from file://, a chapter draws its chart and loads only local files', async () => {
    const url = pathToFileURL(join(outDir, 'alpha', '01-more.html')).href;
    const { page, problems } = await openPage(url, pathToFileURL(outDir).href);
    const pixels = await chartPixels(page);
    expect(pixels).toHaveLength(1);
    expect(pixels[0]).toBeGreaterThan(0);
    expect(problems).toEqual({ consoleErrors: [], failedRequests: [], foreignRequests: [] });
    await page.close();
  }, 60_000);
});
