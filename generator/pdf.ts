/**
 * The PDF edition (`--pdf`): each book printed by Chromium through puppeteer from its
 * print page (every chapter after a table of contents) into <out>/<book>.pdf, with
 * charts and diagrams drawn first and page numbers in the footer. Chromium is Debian's
 * (PUPPETEER_EXECUTABLE_PATH, else /usr/bin/chromium), as in the browser test.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface PrintJob {
  /** The print page, site-root-relative. */
  printPage: string;
  /** The PDF to write, site-root-relative. */
  pdf: string;
}

const FOOTER =
  '<div style="width: 100%; font-size: 8px; color: #666; text-align: center;"><span class="pageNumber"></span> / <span class="totalPages"></span></div>';

function chromiumPath(): string {
  const path = process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) throw new Error(`--pdf needs Chromium: ${path} does not exist (apt-get install chromium, or set PUPPETEER_EXECUTABLE_PATH)`);
  return path;
}

/** Every chart canvas has pixels and every diagram its SVG (or there are none). */
function everythingDrawn(): boolean {
  const canvases = [...document.querySelectorAll<HTMLCanvasElement>('figure.chart canvas')];
  const drawn = canvases.every((canvas) => {
    const context = canvas.getContext('2d');
    if (!context || canvas.width === 0) return false;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return true;
    return false;
  });
  return drawn && [...document.querySelectorAll('pre.mermaid')].every((node) => node.querySelector('svg') !== null);
}

export async function printPdfs(outDir: string, jobs: PrintJob[]): Promise<void> {
  if (jobs.length === 0) return;
  // require, not import(): from the generator's bundle a dynamic import goes through an experimental vm hook that warns.
  const puppeteer = createRequire(import.meta.url)('puppeteer') as typeof import('puppeteer').default;
  const profile = mkdtempSync(join(tmpdir(), 'book-pdf-'));
  const browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    userDataDir: profile,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    for (const job of jobs) {
      const page = await browser.newPage();
      // Charts drawn without animation, in the light theme paper expects.
      await page.emulateMediaFeatures([{ name: 'prefers-reduced-motion', value: 'reduce' }, { name: 'prefers-color-scheme', value: 'light' }]);
      await page.goto(pathToFileURL(join(outDir, job.printPage)).href, { waitUntil: 'load' });
      await page.waitForFunction(everythingDrawn, { timeout: 60_000 });
      await page.pdf({
        path: join(outDir, job.pdf),
        format: 'A4',
        printBackground: true,
        displayHeaderFooter: true,
        headerTemplate: '<span></span>',
        footerTemplate: FOOTER,
        margin: { top: '18mm', bottom: '18mm', left: '16mm', right: '16mm' },
      });
      await page.close();
    }
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
