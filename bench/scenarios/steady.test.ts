import { describe, expect, it } from 'vitest';
import { parseOptions } from '../options.ts';
import { scenario } from './index.ts';
import type { LoadShape, RoundContext } from './module.ts';
import { pathsKey, pathsSetting, SETTLE_PATHS, settlePaths, steadyScenario } from './steady.ts';

describe('pathsSetting', () => {
  it('keeps a short list of paths as it is', () => {
    expect(pathsSetting(['/search?a=1', '/health'])).toEqual(['/search?a=1', '/health']);
  });

  it('records a long list by count, distinct paths, full hash and first paths, the hash the settings key shortens', () => {
    const paths = Array.from({ length: 1000 }, (_, i) => `/search?n=${i % 10}`);
    const setting = pathsSetting(paths) as { count: number; distinct: number; sha256: string; first: string[] };
    expect(setting).toMatchObject({ count: 1000, distinct: 10, first: ['/search?n=0', '/search?n=1', '/search?n=2'] });
    expect(setting.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(pathsKey(paths)).toBe(`paths${setting.sha256.slice(0, 8)}`);
  });
});

describe('the settle before a slice', () => {
  /** The loads one round of a scenario asks for: the settle's, then the measured run's. */
  async function roundLoads(name: 'mix' | 'hot'): Promise<{ settle: LoadShape[]; measured: LoadShape[]; key: string[] }> {
    const module = steadyScenario(scenario(name));
    const options = parseOptions(['--settle', '1', '--duration', '2', '--pipeline', '4']);
    const settle: LoadShape[] = [];
    const measured: LoadShape[] = [];
    const context = {
      options, label: 's', url: 'http://127.0.0.1:1', loadgenCpus: null,
      settle: async (load: LoadShape) => void settle.push(load),
      measure: async (load: LoadShape) => {
        measured.push(load);
        return { outcome: { run_index: 0, status: 'ok', connections: load.connections, requests_per_second: 1, avg_latency_us: 1, p50_latency_us: 1, p90_latency_us: 1, p99_latency_us: 1, max_latency_us: 1 }, result: {}, runId: 1 };
      },
      log: () => {}, flag: () => {}, series: () => ({ write: () => {} }),
    } as unknown as RoundContext;
    await module.runRound(context, 0);
    return { settle, measured, key: module.settingsKeyParts(options) };
  }

  it("sends the first paths of the mix's long list (wrk formats every path before it starts), the measured run all of them", async () => {
    const { settle, measured, key } = await roundLoads('mix');
    expect(measured[0].paths).toHaveLength(200_000);
    expect(settle).toHaveLength(1);
    expect(settle[0].paths).toEqual(measured[0].paths.slice(0, SETTLE_PATHS));
    // the same list at every settle: wrk writes its paths file once (loadgen/wrk.ts, pathsFileOf)
    expect(settlePaths(measured[0].paths)).toBe(settle[0].paths);
    expect(settle[0]).toMatchObject({ durationSeconds: 1, connections: measured[0].connections, pipeline: 4 });
    expect(key).toContain(`sp${SETTLE_PATHS}`);
  });

  it('sends a short list whole', async () => {
    const { settle, measured, key } = await roundLoads('hot');
    expect(settle[0].paths).toBe(measured[0].paths);
    expect(key.some((part) => part.startsWith('sp'))).toBe(false);
    expect(settlePaths(['/a', '/b'])).toEqual(['/a', '/b']);
  });
});
