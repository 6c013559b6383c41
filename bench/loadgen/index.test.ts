import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { knownLoadGenerators, loadGenerator, requireTool, saturationCores } from './index.ts';
import type { LoadRequest } from './types.ts';

const request: LoadRequest = { url: 'http://127.0.0.1:8080', paths: ['/'], connections: 4, durationSeconds: 1, keepAlive: true };

describe('loadGenerator', () => {
  it('knows autocannon, wrk and oha', () => {
    expect([...knownLoadGenerators].sort()).toEqual(['autocannon', 'oha', 'wrk']);
    for (const name of knownLoadGenerators) expect(loadGenerator(name).name).toBe(name);
  });
  it('names the known generators when asked for an unknown one', () => {
    expect(() => loadGenerator('ab')).toThrow('unknown load generator "ab": choose one of autocannon, wrk, oha');
    expect(() => loadGenerator('toString')).toThrow(/unknown load generator/);
  });
});

describe('requireTool', () => {
  it('returns the adapter with the detected tool for the installed ones', async () => {
    const wrk = await requireTool('wrk');
    expect(wrk.generator.name).toBe('wrk');
    expect(wrk.tool).toMatchObject({ name: 'wrk', path: '/usr/bin/wrk' });
    const autocannon = await requireTool('autocannon');
    expect(autocannon.tool.version).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('saturationCores', () => {
  it('is 1 for autocannon, the thread count for wrk, every core for oha', () => {
    expect(saturationCores(loadGenerator('autocannon'), { ...request, threads: 4 })).toBe(1);
    expect(saturationCores(loadGenerator('wrk'), request)).toBe(1);
    expect(saturationCores(loadGenerator('wrk'), { ...request, threads: 2 })).toBe(2);
    expect(saturationCores(loadGenerator('oha'), { ...request, threads: 1 })).toBe(availableParallelism());
  });
});
