import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/**
 * A meter of event-loop utilisation: each call returns the share of the time since the
 * previous call (or since the meter was made) that the loop was busy, 0..1.
 */
export function loopUtilizationMeter(): () => number {
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const utilization = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    return utilization;
  };
}
