import { describe, expect, it } from 'vitest';
import { formatEditionRatios, type RatioRow } from './closing-table.ts';

const row = (subject: string, scenario: string, ratio: number | null, experiment = '', note: string | null = null): RatioRow => ({
  subject, experiment, scenario, ratio_median: ratio, ratio_ci_low: ratio === null ? null : ratio - 0.1, ratio_ci_high: ratio === null ? null : ratio + 0.1, ratio_note: note,
});

describe('formatEditionRatios', () => {
  it('puts each subject on one line with its hot and mix ratios and intervals, and says why a ratio is missing', () => {
    const table = formatEditionRatios([
      row('v19-waiting-time', 'hot', 1.319), row('v19-waiting-time', 'mix', 0.661),
      row('v2-node-http', 'hot', 0.05, 'fastify'),
      row('nginx', 'hot', null, '', 'the load generator was the limit'),
    ]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^subject\s+× reference, hot \[95% CI\]\s+× reference, mix \[95% CI\]$/);
    expect(lines.slice(2).map((l) => l.replace(/\s+/g, ' '))).toEqual([
      'v19-waiting-time 1.319 [1.219–1.419] 0.661 [0.561–0.761]',
      'v2-node-http+fastify 0.050 [-0.050–0.150] not measured',
      'nginx none (the load generator was the limit) not measured',
    ]);
  });
});
