import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readChapterList, type Chapter } from '../../db/chapters.ts';
import { bookNeeds, directiveNeeds } from './book-needs.ts';

const chapters: Chapter[] = [
  { number: 1, tag: 'v1-a', commit: 'a'.repeat(40), title: 'A', technique: 't', summary: 's' },
  { number: 2, tag: 'v2-b', commit: 'b'.repeat(40), title: 'B', technique: 't', summary: 's', experiments: [{ name: 'fast', args: [] }, { name: 'slow', args: [] }] },
];
const labels = (text: string, name = 'table') => directiveNeeds({ name, text }, chapters).map((n) => `${n.scenario}:${n.label}`);

describe('what a directive needs measured', () => {
  it('a named chapter on a named scenario, with every experiment unless the query keeps to the default', () => {
    expect(labels(`query="SELECT * FROM summaries WHERE subject = 'v2-b' AND scenario = 'mix'"`)).toEqual(['mix:v2-b', 'mix:v2-b+fast', 'mix:v2-b+slow']);
    expect(labels(`query="SELECT * FROM summaries WHERE subject = 'v2-b' AND experiment = '' AND scenario = 'mix'"`)).toEqual(['mix:v2-b']);
    expect(labels(`query="SELECT * FROM summaries WHERE subject = 'v2-b' AND experiment IN ('', 'slow') AND scenario = 'close'"`)).toEqual(['close:v2-b+slow', 'close:v2-b']);
  });

  it('every chapter on hot, mix and close when no chapter is named; a series view stands for its scenario', () => {
    expect(labels(`query="SELECT * FROM versions v JOIN summaries s ON s.subject = v.tag WHERE s.scenario IN ('hot', 'mix') AND s.experiment = ''"`)).toEqual(['hot:v1-a', 'hot:v2-b', 'mix:v1-a', 'mix:v2-b']);
    expect(labels(`query="SELECT * FROM adaptive_limiter_series WHERE subject = 'v1-a'"`, 'chart')).toEqual(['adaptive-ramp:v1-a']);
    expect(labels(`query="SELECT * FROM overload_summary WHERE step_multiplier = 2"`)).toEqual([]);
  });

  it('every chapter searched against the objective on the mix when no chapter is named; the soak never (a command of its own)', () => {
    expect(labels(`query="SELECT * FROM objective_capacity WHERE scenario = 'capacity-mix' AND experiment = ''"`)).toEqual(['capacity-mix:v1-a', 'capacity-mix:v2-b']);
    expect(labels(`query="SELECT * FROM objective_capacity WHERE experiment = ''"`)).toEqual(['capacity-mix:v1-a', 'capacity-mix:v2-b']);
    expect(labels(`query="SELECT * FROM latency_histogram WHERE tag = 'v2-b' AND experiment = '' AND scenario = 'capacity-mix'"`, 'chart')).toEqual(['capacity-mix:v2-b']);
    expect(labels(`query="SELECT * FROM soak_series WHERE tag = 'v2-b' AND scenario = 'soak'"`, 'chart')).toEqual([]);
    // A request set names the search's requests, not the mix scenario.
    expect(labels(`query="SELECT * FROM objective_capacity WHERE request_set = 'mix' AND scenario = 'capacity-mix' AND tag = 'v2-b'"`)).toEqual(['capacity-mix:v2-b', 'capacity-mix:v2-b+fast', 'capacity-mix:v2-b+slow']);
    expect(labels(`query="SELECT * FROM objective_capacity WHERE request_set IN ('hot', 'mix') AND tag = 'v2-b' AND experiment = ''"`)).toEqual(['capacity-mix:v2-b']);
  });

  it('a comparison view needs the chapter it compares with, in the same scenario', () => {
    expect(labels(`query="SELECT speedup FROM chapter_vs_parent WHERE tag = 'v2-b' AND scenario = 'close' AND experiment = ''"`, 'assert')).toEqual(['close:v2-b', 'close:v1-a']);
    expect(labels(`query="SELECT speedup FROM chapter_vs_first WHERE tag = 'v2-b' AND scenario = 'mix' AND experiment = ''"`, 'assert')).toEqual(['mix:v2-b', 'mix:v1-a']);
    expect(labels(`query="SELECT speedup FROM summaries WHERE subject = 'v2-b' AND scenario = 'close' AND experiment = ''"`, 'assert')).toEqual(['close:v2-b']);
  });

  it("a @metric with a tag and no query reads the chapter's hot headline", () => {
    expect(labels(`tag="v1-a" field="p99_latency_us"`, 'metric')).toEqual(['hot:v1-a']);
    // `versions` holds the chapter as tagged: its experiments are not needed for it.
    expect(labels(`tag="v2-b"`, 'metric')).toEqual(['hot:v2-b']);
  });
});

describe("the repository's book", () => {
  it('needs every chapter on hot and the scenarios its pages query, read from its directives', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const all = readChapterList(join(root, 'data', 'chapters.json'));
    const needs = bookNeeds(join(root, 'book'), all);
    const scenarios = new Set(needs.map((n) => n.scenario));
    for (const scenario of ['hot', 'mix', 'overload', 'adaptive-ramp', 'scaling-ramp']) expect(scenarios).toContain(scenario);
    for (const c of all) expect(needs.some((n) => n.scenario === 'hot' && n.label === c.tag), c.tag).toBe(true);
  });
});
