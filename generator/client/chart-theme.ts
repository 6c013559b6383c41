/**
 * Theme-aware colouring of a Chart.js config (pure; runs in the browser and in tests).
 * The page embeds the config as written by the @chart directive; what the author set
 * is kept, what they left open gets the palette and the theme's text and grid colours.
 */

export type Theme = 'light' | 'dark';

/**
 * Okabe–Ito based: distinguishable with the common colour-vision deficiencies; the dark
 * variant is lighter so every series keeps contrast on a dark background.
 */
export const PALETTES: Record<Theme, readonly string[]> = {
  light: ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#7a5195', '#4d4d4d'],
  dark: ['#5ab0ff', '#ff8a4c', '#3ddc97', '#f09ccf', '#ffc04d', '#9ad9ff', '#c3a6ff', '#d0d0d0'],
};

export const THEME_COLOURS: Record<Theme, { text: string; grid: string; border: string }> = {
  light: { text: '#3b424a', grid: 'rgba(0, 0, 0, 0.08)', border: 'rgba(0, 0, 0, 0.25)' },
  dark: { text: '#c9d1d9', grid: 'rgba(255, 255, 255, 0.10)', border: 'rgba(255, 255, 255, 0.30)' },
};

type Json = Record<string, unknown>;

export interface ChartConfigLike {
  type?: string;
  data?: { labels?: unknown[]; datasets?: Json[] };
  options?: Json;
}

const CARTESIAN = new Set(['line', 'bar', 'scatter', 'bubble']);
/** One colour per slice rather than per dataset. */
const ARCS = new Set(['pie', 'doughnut', 'polarArea']);
/** Drawn on the radial scale `r`. */
const RADIAL = new Set(['radar', 'polarArea']);

/** A copy of `config` coloured for `theme`; `config` itself is left untouched. */
export function themedConfig<T extends ChartConfigLike>(config: T, theme: Theme): T {
  const copy = structuredClone(config);
  const palette = PALETTES[theme];
  const colours = THEME_COLOURS[theme];
  const datasets = copy.data?.datasets ?? [];

  datasets.forEach((dataset, index) => {
    const type = (dataset.type as string | undefined) ?? copy.type ?? 'line';
    if (ARCS.has(type)) {
      const slices = Array.isArray(dataset.data) ? dataset.data.length : 0;
      const sliceColours = Array.from({ length: slices }, (_, i) => palette[i % palette.length]);
      if (dataset.backgroundColor === undefined) dataset.backgroundColor = sliceColours.map((c) => withAlpha(c, type === 'polarArea' ? 0.6 : 0.85));
      if (dataset.borderColor === undefined) dataset.borderColor = sliceColours;
      return;
    }
    const base = typeof dataset.borderColor === 'string' ? dataset.borderColor : palette[index % palette.length];
    if (dataset.borderColor === undefined) dataset.borderColor = base;
    if (dataset.backgroundColor === undefined) dataset.backgroundColor = withAlpha(base, type === 'bar' ? 0.8 : 0.2);
    if (type !== 'bar' && dataset.pointBackgroundColor === undefined) dataset.pointBackgroundColor = base;
  });

  const options = (copy.options ??= {}) as Json;
  if (options.maintainAspectRatio === undefined) options.maintainAspectRatio = false; // the figure sets the height
  if (options.responsive === undefined) options.responsive = true;
  options.color ??= colours.text;
  options.borderColor ??= colours.grid;

  if (CARTESIAN.has(copy.type ?? 'line')) {
    const scales = (options.scales ??= {}) as Record<string, Json>;
    scales.x ??= {};
    scales.y ??= {};
    for (const scale of Object.values(scales)) {
      if (!scale || typeof scale !== 'object') continue;
      setDefault(scale, ['grid', 'color'], colours.grid);
      setDefault(scale, ['border', 'color'], colours.border);
      setDefault(scale, ['ticks', 'color'], colours.text);
      setDefault(scale, ['title', 'color'], colours.text);
    }
  }
  if (RADIAL.has(copy.type ?? 'line')) {
    const scales = (options.scales ??= {}) as Record<string, Json>;
    const r = (scales.r ??= {});
    setDefault(r, ['grid', 'color'], colours.grid);
    setDefault(r, ['angleLines', 'color'], colours.grid);
    setDefault(r, ['pointLabels', 'color'], colours.text);
    setDefault(r, ['ticks', 'color'], colours.text);
    setDefault(r, ['ticks', 'backdropColor'], 'transparent');
  }
  setDefault(options, ['plugins', 'legend', 'labels', 'color'], colours.text);
  setDefault(options, ['plugins', 'title', 'color'], colours.text);
  return copy;
}

/** `#rrggbb` (or `#rgb`) with an alpha channel as rgba(); other colour syntaxes are returned unchanged. */
export function withAlpha(colour: string, alpha: number): string {
  let hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(colour)?.[1];
  if (!hex) return colour;
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join('');
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

function setDefault(target: Json, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === undefined) node[key] = {};
    else if (typeof next !== 'object' || next === null) return; // author wrote something else here: keep it
    node = node[key] as Json;
  }
  const last = path[path.length - 1];
  if (node[last] === undefined) node[last] = value;
}
