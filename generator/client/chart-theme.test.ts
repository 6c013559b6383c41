import { describe, expect, it } from 'vitest';
import { PALETTES, THEME_COLOURS, themedConfig, withAlpha } from './chart-theme.ts';

const config = () => ({
  type: 'line',
  data: {
    labels: [1, 2],
    datasets: [
      { label: 'a', data: [1, 2] },
      { label: 'b', data: [3, 4], borderColor: '#123456', yAxisID: 'y1' },
    ] as Record<string, unknown>[],
  },
  options: { scales: { y1: { position: 'right', grid: { drawOnChartArea: false } } } } as Record<string, unknown>,
});

describe('themedConfig', () => {
  it('colours each slice of a pie, and themes the radial scale of radar and polar charts', () => {
    type Config = { type: string; data: { labels: string[]; datasets: Record<string, unknown>[] }; options: Record<string, unknown> };
    const pie = themedConfig<Config>({ type: 'pie', data: { labels: ['a', 'b', 'c'], datasets: [{ label: 'x', data: [1, 2, 3] }] }, options: {} }, 'dark');
    expect(pie.data.datasets[0].borderColor).toEqual(PALETTES.dark.slice(0, 3));
    expect(pie.options.scales).toBeUndefined();
    const radar = themedConfig<Config>({ type: 'radar', data: { labels: ['a'], datasets: [{ label: 'x', data: [1] }] }, options: {} }, 'dark');
    const r = (radar.options.scales as Record<string, Record<string, { color: string }>>).r;
    expect(r.grid.color).toBe(THEME_COLOURS.dark.grid);
    expect(r.pointLabels.color).toBe(THEME_COLOURS.dark.text);
  });

  it('gives uncoloured datasets palette colours and keeps the author’s', () => {
    const themed = themedConfig(config(), 'light');
    expect(themed.data.datasets[0].borderColor).toBe(PALETTES.light[0]);
    expect(themed.data.datasets[0].backgroundColor).toBe(withAlpha(PALETTES.light[0], 0.2));
    expect(themed.data.datasets[1].borderColor).toBe('#123456');
    expect(themed.data.datasets[1].backgroundColor).toBe('rgba(18, 52, 86, 0.2)');
  });

  it('uses different colours in the dark theme, for series and for text and grid', () => {
    const light = themedConfig(config(), 'light');
    const dark = themedConfig(config(), 'dark');
    expect(dark.data.datasets[0].borderColor).toBe(PALETTES.dark[0]);
    expect(dark.data.datasets[0].borderColor).not.toBe(light.data.datasets[0].borderColor);
    const scales = (t: typeof light) => t.options.scales as Record<string, { grid: { color: string; drawOnChartArea?: boolean }; ticks: { color: string } }>;
    expect(scales(dark).x.grid.color).toBe(THEME_COLOURS.dark.grid);
    expect(scales(dark).y.ticks.color).toBe(THEME_COLOURS.dark.text);
    expect(scales(light).y1.ticks.color).toBe(THEME_COLOURS.light.text);
    expect(scales(dark).y1.grid.drawOnChartArea).toBe(false);
    expect(((dark.options.plugins as Record<string, { labels: { color: string } }>).legend.labels.color)).toBe(THEME_COLOURS.dark.text);
  });

  it('palettes have distinct colours within each theme', () => {
    for (const palette of Object.values(PALETTES)) expect(new Set(palette).size).toBe(palette.length);
  });

  it('bars are filled nearly opaque; the original config is not modified', () => {
    const original = { type: 'bar', data: { labels: ['x'], datasets: [{ data: [1] }] as Record<string, unknown>[] } };
    const themed = themedConfig(original, 'dark');
    expect(themed.data.datasets[0].backgroundColor).toBe(withAlpha(PALETTES.dark[0], 0.8));
    expect(original.data.datasets[0]).toEqual({ data: [1] });
  });

  it('withAlpha understands #rgb and #rrggbb and leaves other colours alone', () => {
    expect(withAlpha('#fff', 0.5)).toBe('rgba(255, 255, 255, 0.5)');
    expect(withAlpha('#0072b2', 1)).toBe('rgba(0, 114, 178, 1)');
    expect(withAlpha('red', 0.5)).toBe('red');
  });
});
