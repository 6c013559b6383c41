/** How far repeated counts of the same thing lie apart (pure). */
import { coefficientOfVariation, median } from './descriptive.ts';

export interface Spread {
  median: number;
  min: number;
  max: number;
  /** (max − min) / median: the whole range, relative. */
  range: number;
  /** Sample standard deviation / mean; 0 for a single value. */
  cv: number;
  n: number;
}

export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('no values to take the spread of');
  if (values.some((v) => !(Number.isFinite(v) && v > 0))) throw new Error(`counts must be positive numbers, got ${values.join(', ')}`);
  const mid = median([...values]);
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { median: mid, min, max, range: (max - min) / mid, cv: values.length > 1 ? coefficientOfVariation([...values]) : 0, n: values.length };
}
