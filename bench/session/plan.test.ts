import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/args.ts';
import type { Chapter } from '../../db/chapters.ts';
import { selectUnits } from './plan.ts';

const chapter = (number: number, tag: string, experiments: string[] = []): Chapter =>
  ({ number, tag, commit: String(number).repeat(40).slice(0, 40), title: tag, technique: '', summary: '', experiments: experiments.map((name) => ({ name, args: [`--${name}`] })) }) as Chapter;

const chapters = [chapter(1, 'v1-a'), chapter(2, 'v2-b', ['fixed', 'unfair']), chapter(3, 'v3-c', ['every-turn'])];
const labels = (selection: string[] | null, withExperiments: boolean) => selectUnits(chapters, selection, withExperiments).map((u) => u.label);

describe('selectUnits', () => {
  it('selects every chapter with its experiments by default, in the chapters\' order', () => {
    expect(labels(null, true)).toEqual(['v1-a', 'v2-b', 'v2-b+fixed', 'v2-b+unfair', 'v3-c', 'v3-c+every-turn']);
  });

  it('brings a named chapter\'s experiments for run, not for soak, and an experiment named as tag+experiment alone', () => {
    expect(labels(['v3-c', 'v2-b'], true)).toEqual(['v2-b', 'v2-b+fixed', 'v2-b+unfair', 'v3-c', 'v3-c+every-turn']);
    expect(labels(['v2-b'], false)).toEqual(['v2-b']);
    expect(labels(['v2-b+unfair'], false)).toEqual(['v2-b+unfair']);
    expect(labels(['v2-b+unfair'], true)).toEqual(['v2-b+unfair']);
    const unit = selectUnits(chapters, ['v2-b+fixed'], false)[0];
    expect(unit).toMatchObject({ experiment: 'fixed', args: ['--fixed'], chapter: { tag: 'v2-b' } });
  });

  it('refuses an unknown chapter or experiment, listing what is known', () => {
    expect(() => labels(['v2-b+missing', 'v9-x'], true)).toThrow(UsageError);
    expect(() => labels(['v2-b+missing'], true)).toThrow('--chapters: unknown chapter or experiment v2-b+missing (known: v1-a, v2-b, v2-b+fixed, v2-b+unfair, v3-c, v3-c+every-turn)');
  });
});
