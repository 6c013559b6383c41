/**
 * A Chart.js plugin that draws each point's interval as an error bar: a dataset with
 * `errorBars: ([lo, hi] | null)[]`, one per label (written by @chart from its `lo`/`hi`
 * columns), gets a vertical line from lo to hi with short caps, in the dataset's colour.
 * Small enough to keep here rather than depend on a package that replaces the chart types.
 */
import type { Chart, Plugin } from 'chart.js';

export type Interval = [number, number] | null;

/** Pixel segments of one dataset's bars (pure: the scale and the points' x are passed in). */
export function errorBarSegments(intervals: readonly Interval[], xs: readonly (number | undefined)[], toPixel: (value: number) => number): { x: number; top: number; bottom: number }[] {
  const segments: { x: number; top: number; bottom: number }[] = [];
  intervals.forEach((interval, index) => {
    const x = xs[index];
    if (interval === null || x === undefined || !Number.isFinite(interval[0]) || !Number.isFinite(interval[1])) return;
    const [a, b] = [toPixel(interval[0]), toPixel(interval[1])];
    segments.push({ x, top: Math.min(a, b), bottom: Math.max(a, b) });
  });
  return segments;
}

export const errorBarsPlugin: Plugin = {
  id: 'errorBars',
  // The axis must hold the bars' ends too, or a wide interval is cut at the chart's edge.
  afterDataLimits(chart: Chart, { scale }: { scale: { id: string; axis?: string; min: number; max: number } }) {
    chart.data.datasets.forEach((dataset, index) => {
      const intervals = (dataset as { errorBars?: Interval[] }).errorBars;
      if (!intervals || !chart.isDatasetVisible(index) || (chart.getDatasetMeta(index).yAxisID ?? 'y') !== scale.id) return;
      for (const interval of intervals) {
        if (interval === null || !Number.isFinite(interval[0]) || !Number.isFinite(interval[1])) continue;
        scale.min = Math.min(scale.min, interval[0]);
        scale.max = Math.max(scale.max, interval[1]);
      }
    });
  },
  afterDatasetsDraw(chart: Chart) {
    const { ctx } = chart;
    chart.data.datasets.forEach((dataset, index) => {
      const intervals = (dataset as { errorBars?: Interval[] }).errorBars;
      const meta = chart.getDatasetMeta(index);
      if (!intervals || meta.hidden || !chart.isDatasetVisible(index)) return;
      const scale = chart.scales[meta.yAxisID ?? 'y'];
      if (!scale) return;
      const xs = meta.data.map((element) => (element as unknown as { x?: number }).x);
      const colour = typeof dataset.borderColor === 'string' ? dataset.borderColor : '#666';
      ctx.save();
      ctx.strokeStyle = colour;
      ctx.lineWidth = 1.5;
      for (const { x, top, bottom } of errorBarSegments(intervals, xs, (value) => scale.getPixelForValue(value))) {
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, bottom);
        ctx.moveTo(x - 4, top);
        ctx.lineTo(x + 4, top);
        ctx.moveTo(x - 4, bottom);
        ctx.lineTo(x + 4, bottom);
        ctx.stroke();
      }
      ctx.restore();
    });
  },
};
