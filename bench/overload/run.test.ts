import { afterEach, describe, expect, it } from 'vitest';
import { startLimitServer, type LimitServer } from '../loadgen/limit-server.ts';
import { runOverload } from './run.ts';

let server: LimitServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('runOverload', () => {
  it('steps past the capacity of a server limited to N in flight: every step offered in full, rejections at 3×', async () => {
    // capacity = limit / delay = 3 / 0.1 s = 30 req/s
    server = await startLimitServer({ delayMs: 100, limit: 3 });
    const rows: number[] = [];
    const run = await runOverload(server.url, ['/'], 30, { multipliers: [0.5, 3], stepSeconds: 2, settleSeconds: 1 }, (row) => rows.push(row.second));
    expect(run.ok).toBe(true);
    expect(run.plan.map((step) => step.rate)).toEqual([15, 90]);
    const offered = (index: number): number[] => run.rows.filter((row) => row.step_index === index).map((row) => row.offered_rps);
    expect(offered(0)).toEqual([15, 15]);
    expect(offered(1)).toEqual([90, 90]);
    expect(run.rows.map((row) => row.settling).slice(0, 4)).toEqual([true, false, true, false]);
    expect(rows).toEqual(run.rows.map((row) => row.second));
    const [, overloaded] = run.steps;
    expect(overloaded?.multiplier).toBe(3);
    expect(overloaded?.rejection_rate).toBeGreaterThan(0);
    expect(run.generator.totals.offered).toBe(15 * 2 + 90 * 2);
    const { totals, warmUpRequests } = run.generator;
    expect(totals.completed + totals.rejected + warmUpRequests).toBe(server.served() + server.rejected());
    expect(server.maxInFlight()).toBeLessThanOrEqual(3);
  });
});
