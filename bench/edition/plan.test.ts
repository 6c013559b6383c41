import { describe, expect, it } from 'vitest';
import type { Need } from './book-needs.ts';
import { EDITION_DEFAULTS, formatPlan, groupNeeds, planEdition, PLANNING } from './plan.ts';
import { FAIRNESS_DEFAULTS } from '../scenarios/fairness.ts';

const need = (scenario: string, label: string): Need => ({ scenario, tag: label.split('+')[0], experiment: label.split('+')[1] ?? '', label });

describe('the edition plan', () => {
  it('groups scenarios of one kind over the same subjects into one part; open-loop scenarios each alone', () => {
    const groups = groupNeeds([need('hot', 'v1'), need('mix', 'v1'), need('close', 'v1'), need('close', 'v2'), need('hot-x4', 'v2'), need('hot-x16', 'v2'), need('overload', 'v2'), need('scaling-ramp', 'v2')]);
    expect(groups.map((g) => [g.kind, g.scenarios.join('+'), g.labels.join(',')])).toEqual([
      ['paired', 'hot+mix', 'v1'], ['paired', 'close', 'v1,v2'], ['steady', 'hot-x4+hot-x16', 'v2'], ['open-loop', 'overload', 'v2'], ['open-loop', 'scaling-ramp', 'v2'],
    ]);
  });

  it('estimates a paired part from its slices: warm-ups, then rounds of subjects and reference slices', () => {
    const settings = { ...EDITION_DEFAULTS, sliceSeconds: 2, settleSeconds: 1, warmupSeconds: 2, minRounds: 6, maxRounds: 12, referenceEvery: 3 };
    const plan = planEdition([need('hot', 'a'), need('hot', 'b'), need('hot', 'c'), need('hot', 'd')], settings);
    const slice = 1 + 2 + PLANNING.sliceOverheadSeconds;
    const expected = (rounds: number) => Math.round(4 * PLANNING.prepareSeconds + 5 * 2 + rounds * (4 + 2) * slice);
    expect(plan.parts[0].seconds).toEqual({ low: expected(6), high: expected(12) });
    expect(plan.seconds).toEqual(plan.parts[0].seconds);
  });

  it('repeats the ramps, runs overload once, and adds the callgrind counts still to make', () => {
    const plan = planEdition([need('overload', 'v9'), need('adaptive-ramp', 'v9')], EDITION_DEFAULTS, 4);
    expect(plan.parts.map((p) => [p.name, p.runs])).toEqual([['overload', 1], ['adaptive-ramp', EDITION_DEFAULTS.rampRepeats]]);
    expect(plan.seconds.low).toBe(plan.parts.reduce((t, p) => t + p.seconds.low, 0) + Math.round(4 * PLANNING.costCountSeconds));
    expect(formatPlan(plan)).toMatch(/callgrind cost\s+4 count\(s\) to make/);
  });

  it('runs fairness once per subject: a capacity run and four steps of fixed length', () => {
    const plan = planEdition([need('fairness', 'v14'), need('fairness', 'v14+unfair-limit')], EDITION_DEFAULTS);
    expect(plan.parts.map((p) => [p.name, p.runs])).toEqual([['fairness', 1]]);
    const round = EDITION_DEFAULTS.overloadStepSeconds + 4 * (FAIRNESS_DEFAULTS.stepSeconds + PLANNING.drainSeconds);
    expect(plan.parts[0].seconds.high).toBe(Math.round(2 * (PLANNING.prepareSeconds + EDITION_DEFAULTS.warmupSeconds + round)));
  });
});
