import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { callCount, inclusiveCost } from './call-graph.ts';
import { CallgrindFormatError, eventCost, parseCallgrindOutput } from './callgrind-output.ts';

// A hand-written part in callgrind's format: uv_run calls uv__run_timers (which calls a
// timer callback) and uv__io_poll; names compressed after their first use, relative lines.
const PART = `# callgrind format
version: 1
creator: callgrind-3.19.0
pid: 1
positions: line
events: Ir
summary: 1000

ob=(1) /usr/bin/node
fl=(1) ???
fn=(1) uv_run
10 5
cfn=(2) uv__run_timers
calls=2 0
+2 300
cfn=(3) uv__io_poll
calls=1 0
* 600

fl=(2) ???
fn=(2)
20 40
cfn=(4) node::Environment::RunTimers(uv_timer_s*)
calls=2 0
+1 260

fn=(4)
30 260

fn=(3)
40 95
totals: 1000
`;

const isTimerPhase = (name: string) => name === 'uv__run_timers';

describe('callCount', () => {
  it('adds the calls= counts of the calls into a function, through compressed names', () => {
    expect(callCount(PART, (name) => name === 'uv__io_poll')).toBe(1);
    expect(callCount(PART, (name) => name.startsWith('node::Environment::RunTimers'))).toBe(2);
    expect(callCount(PART, (name) => name === 'uv_run')).toBe(0);
  });
});

describe('inclusiveCost', () => {
  it('adds a function’s own cost lines and the inclusive cost of its calls, through compressed names', () => {
    expect(inclusiveCost(PART, isTimerPhase)).toBe(300);
    expect(inclusiveCost(PART, (name) => name === 'uv__io_poll')).toBe(95);
    expect(inclusiveCost(PART, (name) => name === 'uv_run')).toBe(5 + 300 + 600);
  });

  it('counts a wanted function called from a wanted function once', () => {
    expect(inclusiveCost(PART, (name) => name === 'uv__run_timers' || name.startsWith('node::Environment::RunTimers'))).toBe(300);
  });

  it('is 0 when the function never ran in the part', () => {
    expect(inclusiveCost(PART, (name) => name === 'absent')).toBe(0);
  });

  it('refuses a name id used before its definition and a file without events', () => {
    expect(() => inclusiveCost(PART.replace('fn=(1) uv_run', 'fn=(1)'), isTimerPhase, 'x.out')).toThrow(/x\.out:11: name id \(1\) used before it was defined/);
    expect(() => inclusiveCost('fn=a\n1 2\n', isTimerPhase)).toThrow(CallgrindFormatError);
  });

  it('reads a recorded valgrind 3.19 dump: nothing under a function that did not run, every cost line under (below main)', () => {
    const file = new URL('./fixtures/sleep-dump.callgrind.out', import.meta.url);
    const text = readFileSync(file, 'utf8');
    expect(inclusiveCost(text, isTimerPhase)).toBe(0);
    expect(inclusiveCost(text, () => true)).toBe(eventCost(parseCallgrindOutput(text, 'fixture')));
  });
});
