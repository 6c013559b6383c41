import type { Config } from '../config.ts';
import { AdaptiveLimit } from './adaptive-limit.ts';

/**
 * The limit the node layer applies to each loop turn's batch of searches (chapter 8's gate):
 * fixed (chapter 8) or adaptive (chapter 9, `AdaptiveLimit`). The layer asks for the limit at
 * each request and reports each loop turn once it is folded, so an adaptive limit can learn.
 */
export interface InFlightLimit {
  /** Searches of one loop turn beyond this many are answered 503 overloaded (Infinity: no limit). */
  current(): number;
  /** A loop turn: searches admitted and answered, the sum of their ms from its start, its batch, its length (ms), when it ended (ms). */
  turn(searches: number, searchMs: number, batch: number, turnMs: number, endedAt: number): void;
}

/** A fixed limit; 0 = none. */
export function fixedLimit(maxInFlight: number): InFlightLimit {
  const limit = maxInFlight > 0 ? maxInFlight : Infinity;
  return { current: () => limit, turn: () => {} };
}

/** The limit the configuration asks for: none (`--max-in-flight 0`), fixed, or adaptive from `--max-in-flight`. */
export function createInFlightLimit(config: Pick<Config, 'maxInFlight' | 'limiter' | 'limitMin' | 'limitMax'>): InFlightLimit | AdaptiveLimit {
  if (config.limiter === 'fixed' || config.maxInFlight === 0) return fixedLimit(config.maxInFlight);
  return new AdaptiveLimit({ initialLimit: config.maxInFlight, minLimit: config.limitMin, maxLimit: config.limitMax });
}
