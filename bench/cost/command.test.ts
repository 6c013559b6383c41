import { describe, expect, it } from 'vitest';
import { DEFAULT_NODE_FLAGS, valgrindArgs, wrapStartCommand } from './command.ts';

describe('wrapStartCommand', () => {
  const start = ['node', 'server/dist/server.mjs', '--port', '{port}'];

  it('runs the start command under callgrind, following children, uninstrumented until told, with the node flags after node', () => {
    const wrapped = wrapStartCommand(start, { outDir: '/tmp/out', nodeFlags: ['--predictable', '--hash-seed=1'] });
    expect(wrapped).toEqual([
      'valgrind',
      '--tool=callgrind',
      '--callgrind-out-file=/tmp/out/callgrind.out.%p',
      '--log-file=/tmp/out/valgrind.%p.log',
      '--trace-children=yes',
      '--instr-atstart=no',
      '--vgdb=yes',
      'node',
      '--predictable',
      '--hash-seed=1',
      'server/dist/server.mjs',
      '--port',
      '{port}',
    ]);
    expect(wrapped.slice(1, 7)).toEqual(valgrindArgs('/tmp/out'));
  });

  it('makes node deterministic by default', () => {
    expect(DEFAULT_NODE_FLAGS).toContain('--predictable');
    expect(DEFAULT_NODE_FLAGS).toContain('--hash-seed=1');
    expect(DEFAULT_NODE_FLAGS).toContain('--random-seed=1');
  });

  it('refuses node flags for a start command that does not run node itself', () => {
    expect(() => wrapStartCommand(['npm', 'start'], { outDir: '/o', nodeFlags: ['--predictable'] })).toThrow(/runs `npm`, not node.*--node-flags ""/);
  });

  it('wraps any command when no node flags are asked for', () => {
    expect(wrapStartCommand(['npm', 'start'], { outDir: '/o', nodeFlags: [] }).slice(-2)).toEqual(['npm', 'start']);
  });

  it('refuses an empty start command', () => {
    expect(() => wrapStartCommand([], { outDir: '/o', nodeFlags: [] })).toThrow(/empty/);
  });
});
