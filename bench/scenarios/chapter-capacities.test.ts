import { describe, expect, it } from 'vitest';
import { ChapterCapacities, labelParts } from './chapter-capacities.ts';

describe('ChapterCapacities', () => {
  it('splits a label into its chapter and experiment', () => {
    expect(labelParts('v18-standing-queue+unfair-limit')).toEqual({ chapter: 'v18-standing-queue', experiment: 'unfair-limit' });
    expect(labelParts('v18-standing-queue')).toEqual({ chapter: 'v18-standing-queue', experiment: null });
  });

  it('gives an experiment its chapter\'s capacity of the same round or the latest before, and nothing to the chapter itself or before the chapter ran', () => {
    const capacities = new ChapterCapacities();
    expect(capacities.forExperiment(0, 'v18+unfair-limit')).toBeNull();
    capacities.remember(0, 'v18', { rps: 2034, source: 'measured', runId: 7 });
    capacities.remember(0, 'v18+every-turn', { rps: 3223, source: 'measured', runId: 8 });
    // No run id: the capacity run is the chapter's.
    expect(capacities.forExperiment(0, 'v18+unfair-limit')).toEqual({ rps: 2034, source: 'chapter' });
    expect(capacities.forExperiment(0, 'v18')).toBeNull();
    expect(capacities.forExperiment(0, 'v17+unfair-limit')).toBeNull();
    // A rotated round that runs the experiment first: the chapter's latest capacity before it.
    expect(capacities.forExperiment(2, 'v18+unfair-limit')).toEqual({ rps: 2034, source: 'chapter' });
    capacities.remember(2, 'v18', { rps: 2100, source: 'measured', runId: 9 });
    expect(capacities.forExperiment(2, 'v18+unfair-limit')).toEqual({ rps: 2100, source: 'chapter' });
  });

  it('shares a searched capacity, never a given one', () => {
    const capacities = new ChapterCapacities();
    capacities.remember(1, 'v17', { rps: 40, source: 'given' });
    expect(capacities.forExperiment(1, 'v17+unfair-limit')).toBeNull();
    capacities.remember(1, 'v9', { rps: 900, source: 'objective' });
    expect(capacities.forExperiment(1, 'v9+x')).toEqual({ rps: 900, source: 'chapter' });
  });
});
