import { describe, expect, it } from 'vitest';
import type { Need } from './book-needs.ts';
import { allowances, atChapterCapacity, sequentialPartSeconds, carriedLabels, EDITION_DEFAULTS, formatPlan, groupNeeds, OVERLOAD_DRAIN_SECONDS, planEdition, PLANNING, SETTLE_START_SECONDS, sliceSeconds, watchedPart, yardstickSlices } from './plan.ts';
import { FAIRNESS_DEFAULTS } from '../scenarios/fairness.ts';

const need = (scenario: string, label: string): Need => ({ scenario, tag: label.split('+')[0], experiment: label.split('+')[1] ?? '', label });

describe('the edition plan', () => {
  it('groups scenarios of one kind over the same subjects into one part; open-loop scenarios each alone', () => {
    const groups = groupNeeds([need('hot', 'v1'), need('mix', 'v1'), need('close', 'v1'), need('close', 'v2'), need('hot-x4', 'v2'), need('hot-x16', 'v2'), need('overload', 'v2'), need('scaling-ramp', 'v2')]);
    expect(groups.map((g) => [g.kind, g.scenarios.join('+'), g.labels.join(',')])).toEqual([
      ['paired', 'hot+mix', 'v1'], ['paired', 'close', 'v1,v2'], ['paired', 'hot-x4+hot-x16', 'v2'], ['open-loop', 'overload', 'v2'], ['open-loop', 'scaling-ramp', 'v2'],
    ]);
  });

  it('estimates a paired part from its slices: warm-ups, then rounds of subjects, node:http before each group and nginx once', () => {
    const settings = { ...EDITION_DEFAULTS, sliceSeconds: 2, settleSeconds: 1, warmupSeconds: 2, minRounds: 6, maxRounds: 12, referenceEvery: 3, budgetSeconds: null };
    const plan = planEdition([need('hot', 'a'), need('hot', 'b'), need('hot', 'c'), need('hot', 'd')], settings);
    const slice = 1 + 2 + PLANNING.sliceOverheadSeconds;
    const expected = (rounds: number) => Math.round(4 * PLANNING.prepareSeconds + PLANNING.partStartSeconds + 6 * 2 + rounds * (4 + 2 + 1) * slice);
    expect(plan.parts[0].seconds).toEqual({ low: expected(6), high: expected(12) });
    expect(plan.seconds).toEqual(plan.parts[0].seconds);
    expect(yardstickSlices(4, 3)).toBe(3);
  });

  it('starts the yardsticks once for a part of hot and mix over the same subjects', () => {
    const settings = { ...EDITION_DEFAULTS, warmupSeconds: 1, minRounds: 6, budgetSeconds: null };
    const [part] = planEdition([need('hot', 'a'), need('mix', 'a')], settings).parts;
    expect(part.name).toBe('hot+mix');
    const slices = 6 * (1 + 2); // a subject, node:http before it, nginx once a round
    const { sliceSeconds: slice, settleSeconds: settle } = EDITION_DEFAULTS;
    const expected = PLANNING.prepareSeconds + PLANNING.partStartSeconds + 2 * 3 * 1 + slices * (sliceSeconds('hot', settle, slice) + sliceSeconds('mix', settle, slice));
    expect(part.seconds.low).toBe(Math.round(expected));
  });

  it('counts the starts of wrk with the mix\'s long path list into its slices, the settle\'s over its first paths only', () => {
    expect(sliceSeconds('mix', 1, 2) - sliceSeconds('hot', 1, 2)).toBeCloseTo(PLANNING.wrkStartSeconds + SETTLE_START_SECONDS, 9);
    expect(sliceSeconds('mix', 0, 2) - sliceSeconds('hot', 0, 2)).toBeCloseTo(PLANNING.wrkStartSeconds, 9);
  });

  it('gives each sequential part its minimum and a share of the spare budget by the extra rounds it could use; fixed parts their time', () => {
    const parts = [
      { sequential: true, seconds: { low: 100, high: 300 } },
      { sequential: false, seconds: { low: 50, high: 50 } },
      { sequential: true, seconds: { low: 100, high: 200 } },
    ];
    expect(allowances(parts, 400)).toEqual([200, 50, 150]); // 150 s spare of 300 s extra: half of each part's
    expect(allowances(parts, 10_000)).toEqual([300, 50, 200]);
    expect(allowances(parts, 100)).toEqual([100, 50, 100]);
    expect(allowances(parts, null)).toEqual([300, 50, 200]);
  });

  it('lets a sequential part run beyond its minimum of rounds only while the budget left covers every part\'s minimum', () => {
    const parts = [
      { sequential: true, seconds: { low: 100, high: 300 } },
      { sequential: false, seconds: { low: 50, high: 50 } },
    ];
    expect(sequentialPartSeconds(parts, 400)).toBe(300);
    expect(sequentialPartSeconds(parts, 150)).toBe(100); // the minimum covered, nothing spare: its minimum's seconds
    expect(sequentialPartSeconds(parts, 149)).toBe(0); // over budget: its minimum of rounds, no deadline to fill
    expect(sequentialPartSeconds(parts, null)).toBeNull();
  });

  it('says by how much the minimum exceeds the budget, before anything is measured', () => {
    const needs = ['a', 'b', 'c'].map((label) => need('hot', label));
    const tight = planEdition(needs, { ...EDITION_DEFAULTS, budgetSeconds: 60 });
    expect(tight.overBudgetSeconds).toBe(tight.seconds.low - 60);
    expect(formatPlan(tight)).toMatch(/Over budget: even the minimum of rounds needs \d+ min \d\d s more than the budget of 1 min 00 s/);
    const roomy = planEdition(needs, { ...EDITION_DEFAULTS, budgetSeconds: 3600 });
    expect(roomy.overBudgetSeconds).toBe(0);
    expect(roomy.seconds.high).toBe(roomy.parts[0].seconds.high);
  });

  it('repeats the ramps, runs overload once, and adds the callgrind counts still to make', () => {
    const plan = planEdition([need('overload', 'v9'), need('adaptive-ramp', 'v9')], EDITION_DEFAULTS, 4);
    expect(plan.parts.map((p) => [p.name, p.runs])).toEqual([['overload', 1], ['adaptive-ramp', EDITION_DEFAULTS.rampRepeats]]);
    expect(plan.seconds.low).toBe(plan.parts.reduce((t, p) => t + p.seconds.low, 0) + Math.round(4 * PLANNING.costCountSeconds));
    expect(formatPlan(plan)).toMatch(/callgrind cost\s+4 count\(s\) to make/);
  });

  it('searches a capacity once per subject, its probes of fixed length; the mix in overload steps once, the combined scenario with its own provider', () => {
    const plan = planEdition([need('capacity-mix', 'v1'), need('capacity-mix', 'v2'), need('overload-mix', 'v9'), need('ingest-mix-overload', 'v16')], { ...EDITION_DEFAULTS, warmupSeconds: 1 });
    expect(plan.parts.map((p) => [p.name, p.runs, p.labels.length])).toEqual([['capacity-mix', 1, 2], ['overload-mix', 1, 1], ['ingest-mix-overload', 1, 1]]);
    // A probe: 3 s of load, the drain, and a 1 s pause after the half that miss.
    const probe = 3 + PLANNING.capacityProbeEndSeconds;
    const search = PLANNING.capacityProbes * probe;
    expect(plan.parts[0].seconds.low).toBe(Math.round(2 * (PLANNING.prepareSeconds + 1 + search)));
    expect(plan.parts[2].seconds.low - plan.parts[1].seconds.low).toBe(PLANNING.ownProviderSeconds);
    // A search from a seed (the subject's capacity in an earlier edition) plans fewer probes.
    const seeded = planEdition([need('capacity-mix', 'v1'), need('capacity-mix', 'v2')], { ...EDITION_DEFAULTS, warmupSeconds: 1 }, 0, { 'capacity-mix': ['v2'] });
    expect(Math.abs(plan.parts[0].seconds.low - seeded.parts[0].seconds.low - (PLANNING.capacityProbes - PLANNING.seededCapacityProbes) * probe)).toBeLessThanOrEqual(1);

    // Without one of this machine kind, a capacity found elsewhere is carried over by the mix, measured first in the edition.
    const withMix = [need('mix', 'v1'), need('capacity-mix', 'v1'), need('capacity-mix', 'v2')];
    const carried = planEdition(withMix, { ...EDITION_DEFAULTS, warmupSeconds: 1 }, 0, {}, { 'capacity-mix': ['v1', 'v2'] });
    const none = planEdition(withMix, { ...EDITION_DEFAULTS, warmupSeconds: 1 });
    expect(carried.parts.map((p) => p.name)).toEqual(['mix', 'capacity-mix']);
    expect(Math.abs(none.parts[1].seconds.low - carried.parts[1].seconds.low - (PLANNING.capacityProbes - PLANNING.carriedCapacityProbes) * probe)).toBeLessThanOrEqual(1);
    expect(carriedLabels('capacity-mix', ['v1', 'v2'], withMix, { 'capacity-mix': ['v1', 'v2'] })).toEqual(['v1']);
  });

  it("plans an overload round with the drain of its backlog, a ramp's with the drain after a step below capacity", () => {
    const plan = planEdition([need('overload', 'v9'), need('scaling-ramp', 'v10')], { ...EDITION_DEFAULTS, warmupSeconds: 0 });
    const [overload, ramp] = plan.parts;
    expect(overload.seconds.low).toBe(Math.round(PLANNING.prepareSeconds + EDITION_DEFAULTS.overloadStepSeconds + 6 * EDITION_DEFAULTS.overloadStepSeconds + OVERLOAD_DRAIN_SECONDS));
    const rampRound = EDITION_DEFAULTS.overloadStepSeconds + 21 * 1 + 5 + PLANNING.drainSeconds; // capacity run, 0.5× → 2.5× by 0.1× at 1 s, 5 s quiet
    expect(ramp.seconds.low).toBe(Math.round(PLANNING.prepareSeconds + EDITION_DEFAULTS.rampRepeats * rampRound));
  });

  it('runs fairness once per subject: a capacity run (the chapter\'s alone: its experiment takes it) and two steps of fixed length', () => {
    const plan = planEdition([need('fairness', 'v14'), need('fairness', 'v14+unfair-limit')], EDITION_DEFAULTS);
    expect(plan.parts.map((p) => [p.name, p.runs])).toEqual([['fairness', 1]]);
    const steps = 2 * (FAIRNESS_DEFAULTS.stepSeconds + PLANNING.drainSeconds);
    expect(plan.parts[0].seconds.high).toBe(Math.round(2 * (PLANNING.prepareSeconds + EDITION_DEFAULTS.warmupSeconds + steps) + EDITION_DEFAULTS.overloadStepSeconds));
  });

  it('plans no capacity run for an experiment whose chapter is in the part, except in a capacity search', () => {
    expect(atChapterCapacity('overload', ['v8', 'v8+none', 'v9+x', 'v9-other'])).toEqual(['v8+none']);
    expect(atChapterCapacity('capacity-mix', ['v8', 'v8+none'])).toEqual([]);
    const ramp = (labels: string[]) => planEdition(labels.map((l) => need('scaling-ramp', l)), EDITION_DEFAULTS).parts[0].seconds.low;
    expect(ramp(['v10', 'v10+tuned-rule']) - ramp(['v10', 'v11+tuned-rule'])).toBe(-EDITION_DEFAULTS.rampRepeats * EDITION_DEFAULTS.overloadStepSeconds);
  });
});

describe('watchedPart', () => {
  it('judges the closed-loop slices and the capacity searches\' probes for disturbance, not the overload steps and ramps', () => {
    const kinds = groupNeeds(['hot', 'hot-x4', 'ingest', 'capacity-mix', 'capacity-hot', 'overload', 'adaptive-ramp', 'fairness'].map((scenario): Need => ({ scenario, tag: 'v1-baseline', experiment: '', label: 'v1-baseline' })));
    expect(Object.fromEntries(kinds.map((part) => [part.scenarios.join('+'), watchedPart(part)]))).toEqual({
      // hot-x4 is paired like hot: over the same subjects, one part.
      'hot+hot-x4': true, ingest: true, 'capacity-mix': true, 'capacity-hot': true, overload: false, 'adaptive-ramp': false, fairness: false,
    });
  });
});
