import type { Config } from '../config.ts';
import { AdaptiveLimit } from './adaptive-limit.ts';

/**
 * The limit the node layer applies to each loop turn's batch of searches (chapter 8's gate):
 * fixed (chapter 8) or adaptive (chapter 9, `AdaptiveLimit`). The layer asks for the limit at
 * each request and reports each search it served, so an adaptive limit can learn from them.
 */
export interface InFlightLimit {
  /** Searches of one loop turn beyond this many are answered 503 overloaded (Infinity: no limit). */
  current(): number;
  /** A search admitted and answered: seconds from its loop turn's start, its position in the turn. */
  served(elapsedSeconds: number, position: number): void;
}

/** A fixed limit; 0 = none. */
export function fixedLimit(maxInFlight: number): InFlightLimit {
  const limit = maxInFlight > 0 ? maxInFlight : Infinity;
  return { current: () => limit, served: () => {} };
}

/** The limit the configuration asks for: none (`--max-in-flight 0`), fixed, or adaptive from `--max-in-flight`. */
export function createInFlightLimit(config: Pick<Config, 'maxInFlight' | 'limiter' | 'limitMin' | 'limitMax'>): InFlightLimit | AdaptiveLimit {
  if (config.limiter === 'fixed' || config.maxInFlight === 0) return fixedLimit(config.maxInFlight);
  return new AdaptiveLimit({ initialLimit: config.maxInFlight, minLimit: config.limitMin, maxLimit: config.limitMax });
}
