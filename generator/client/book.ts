/**
 * The book's one client script (bundled by esbuild into an IIFE with chart.js, loaded
 * as a classic deferred script so it also runs from file://): theme toggle, phone
 * menu, charts from the JSON embedded in each page, and Mermaid's theme.
 */
import { Chart, registerables, type ChartConfiguration } from 'chart.js';
import { themedConfig, type ChartConfigLike, type Theme } from './chart-theme.ts';
import { errorBarsPlugin } from './error-bars.ts';

// Every chart type @chart accepts (any Chart.js type: line … radar, bubble, pie, doughnut, polarArea),
// and the intervals @chart writes from `lo`/`hi` columns.
Chart.register(...registerables, errorBarsPlugin);

const STORAGE_KEY = 'book-theme';
const root = document.documentElement;

function currentTheme(): Theme {
  return root.getAttribute('data-theme') === 'dark' ? 'dark' : 'light';
}

function storedTheme(): Theme | null {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === 'dark' || value === 'light' ? value : null;
  } catch {
    return null; // storage may be disabled (privacy settings); the toggle still works for this page
  }
}

// ---------- charts ----------

interface DrawnChart {
  canvas: HTMLCanvasElement;
  config: ChartConfigLike;
  chart?: Chart;
}

const charts: DrawnChart[] = [];

function collectCharts(): void {
  for (const figure of document.querySelectorAll<HTMLElement>('figure.chart')) {
    const canvas = figure.querySelector('canvas');
    const json = figure.querySelector('script.chart-config')?.textContent;
    if (!canvas || !json) continue;
    try {
      charts.push({ canvas, config: JSON.parse(json) as ChartConfigLike });
    } catch (error) {
      showChartError(figure, `chart data is not valid JSON: ${(error as Error).message}`);
    }
  }
}

function drawCharts(theme: Theme, animate: boolean): void {
  for (const entry of charts) {
    entry.chart?.destroy();
    const config = themedConfig(entry.config, theme) as unknown as ChartConfiguration;
    if (!animate) (config.options ??= {}).animation = false;
    try {
      entry.chart = new Chart(entry.canvas, config);
    } catch (error) {
      showChartError(entry.canvas.closest('figure') ?? entry.canvas, (error as Error).message);
    }
  }
}

function showChartError(where: Element, message: string): void {
  console.error(`chart: ${message}`);
  const note = document.createElement('p');
  note.className = 'chart-error';
  note.textContent = `This chart could not be drawn: ${message}`;
  where.appendChild(note);
}

// ---------- mermaid (present only on pages that have diagrams) ----------

interface MermaidApi {
  initialize(config: { startOnLoad: boolean; theme: string }): void;
  run(options: { nodes: HTMLElement[] }): Promise<void>;
}

const diagrams: { node: HTMLElement; source: string }[] = [];

function mermaidApi(): MermaidApi | undefined {
  return (window as unknown as { mermaid?: MermaidApi }).mermaid;
}

function startMermaid(theme: Theme): void {
  const api = mermaidApi();
  if (!api) return;
  for (const node of document.querySelectorAll<HTMLElement>('pre.mermaid')) diagrams.push({ node, source: node.textContent ?? '' });
  if (diagrams.length === 0) return;
  api.initialize({ startOnLoad: false, theme: theme === 'dark' ? 'dark' : 'default' });
  drawDiagrams(api);
}

function drawDiagrams(api: MermaidApi): void {
  api
    .run({ nodes: diagrams.map((d) => d.node) })
    .then(fitDiagrams)
    .catch((error: unknown) => console.error('mermaid:', error));
}

/**
 * Mermaid scales a diagram down to the width available, which on a phone makes its
 * text unreadably small. A diagram wider than its box keeps its natural size instead,
 * and the box scrolls (and can be pinch-zoomed).
 */
function fitDiagrams(): void {
  for (const { node } of diagrams) {
    const svg = node.querySelector('svg');
    if (!svg) continue;
    const natural = Number(svg.dataset.naturalWidth ?? parseFloat(svg.style.maxWidth));
    if (!Number.isFinite(natural) || natural <= 0) continue;
    svg.dataset.naturalWidth = String(natural);
    const style = getComputedStyle(node);
    const room = node.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (natural > room) {
      svg.style.maxWidth = 'none';
      svg.style.width = `${natural}px`;
    } else {
      svg.style.maxWidth = `${natural}px`;
      svg.style.width = '';
    }
  }
}

function rethemeMermaid(theme: Theme): void {
  const api = mermaidApi();
  if (!api || diagrams.length === 0) return;
  for (const { node, source } of diagrams) {
    node.removeAttribute('data-processed');
    node.textContent = source;
  }
  api.initialize({ startOnLoad: false, theme: theme === 'dark' ? 'dark' : 'default' });
  drawDiagrams(api);
}

// ---------- theme toggle ----------

function applyTheme(theme: Theme, remember: boolean): void {
  if (theme === currentTheme() && !remember) return;
  root.setAttribute('data-theme', theme);
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, theme);
    } catch {
      /* not persisted: storage unavailable */
    }
  }
  updateToggle(theme);
  drawCharts(theme, false);
  rethemeMermaid(theme);
}

function updateToggle(theme: Theme): void {
  const button = document.querySelector<HTMLButtonElement>('.theme-toggle');
  if (!button) return;
  button.setAttribute('aria-pressed', String(theme === 'dark'));
  button.title = theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme';
}

function setUpThemeToggle(): void {
  updateToggle(currentTheme());
  document.querySelector('.theme-toggle')?.addEventListener('click', () => {
    applyTheme(currentTheme() === 'dark' ? 'light' : 'dark', true);
  });
  // Follow the system setting until the reader picks a theme.
  window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener?.('change', (event) => {
    if (storedTheme() === null) applyTheme(event.matches ? 'dark' : 'light', false);
  });
}

// ---------- phone menu ----------

function setUpMenu(): void {
  const button = document.querySelector<HTMLButtonElement>('.menu-toggle');
  if (!button) return;
  const setOpen = (open: boolean) => {
    document.body.classList.toggle('menu-open', open);
    button.setAttribute('aria-expanded', String(open));
  };
  button.addEventListener('click', () => setOpen(!document.body.classList.contains('menu-open')));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') setOpen(false);
  });
  document.querySelector('#site-menu')?.addEventListener('click', (event) => {
    if ((event.target as Element).closest('a')) setOpen(false);
  });
}

/** On a phone the table of contents sits above the text: start it folded. */
function foldTocOnSmallScreens(): void {
  if (window.matchMedia?.('(max-width: 860px)').matches) document.querySelector('.toc details')?.removeAttribute('open');
}

// Deferred script: the document is parsed; mermaid.min.js (deferred before us) has run.
foldTocOnSmallScreens();
setUpThemeToggle();
setUpMenu();
collectCharts();
const reducedMotion = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
drawCharts(currentTheme(), !reducedMotion);
startMermaid(currentTheme());
window.addEventListener('resize', fitDiagrams);
