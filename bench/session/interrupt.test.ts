import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Progress } from './progress.ts';
import { REPEAT_WINDOW_MS, watchSignals, type SignalWatch } from './interrupt.ts';

describe('watchSignals', () => {
  let watch: SignalWatch | undefined;
  afterEach(() => {
    watch?.dispose();
    vi.restoreAllMocks();
  });

  function watching(clock: { t: number }) {
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const released = { count: 0 };
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    watch = watchSignals({ stderr }, new Progress(stderr), { path: '/nonexistent.lock', release: () => released.count++ }, () => clock.t);
    return { exit, released, output: () => text };
  }

  it('takes a repeat of the signal within the window for the same Ctrl-C (npm forwards the one the terminal sent)', () => {
    const clock = { t: 10_000 };
    const { exit, released, output } = watching(clock);
    process.emit('SIGINT', 'SIGINT');
    clock.t += REPEAT_WINDOW_MS - 1;
    process.emit('SIGINT', 'SIGINT');
    expect(watch!.interrupted()).toBe(true);
    expect(exit).not.toHaveBeenCalled();
    expect(released.count).toBe(0);
    expect(output()).toMatch(/SIGINT: stopping servers/);
    expect(output()).not.toMatch(/again/);
  });

  it('exits at once on a second Ctrl-C after the window', () => {
    const clock = { t: 10_000 };
    const { exit, released, output } = watching(clock);
    process.emit('SIGINT', 'SIGINT');
    clock.t += REPEAT_WINDOW_MS;
    process.emit('SIGINT', 'SIGINT');
    expect(exit).toHaveBeenCalledWith(130);
    expect(released.count).toBe(1);
    expect(output()).toMatch(/SIGINT again: killing servers and exiting now/);
  });
});
