/**
 * The interleaved order of measured runs. Round r runs every subject once, the
 * order rotated by r, so slow drift of the machine (thermal, other tenants) is
 * spread evenly over the subjects instead of penalising whoever runs last.
 */
export interface ScheduledRun<T> {
  round: number;
  subject: T;
}

export function rotated<T>(items: readonly T[], by: number): T[] {
  if (items.length === 0) return [];
  const shift = ((by % items.length) + items.length) % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

/** Round-major order: round 0 in the given order, round 1 rotated by one, … */
export function interleavedOrder<T>(subjects: readonly T[], rounds: number): ScheduledRun<T>[] {
  const order: ScheduledRun<T>[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const subject of rotated(subjects, round)) order.push({ round, subject });
  }
  return order;
}
