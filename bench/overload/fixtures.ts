// Hand-made generator seconds for the pure tests of the overload rows and summaries.
import type { OpenLoopSecond } from '../loadgen/open-loop-tally.ts';

export function generatedSecond(second: number, fields: Partial<OpenLoopSecond> = {}): OpenLoopSecond {
  return {
    second, phaseIndex: null, offered: 0, completed: 0, rejected: 0, failed: 0, p50LatencyUs: null, p99LatencyUs: null, p999LatencyUs: null, maxLatencyUs: null,
    inFlight: 0, maxSendLagUs: 0, generatorBehind: false, servedLatenciesUs: [], ...fields,
  };
}
