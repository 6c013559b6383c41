import { v5 as uuidv5 } from 'uuid';

/**
 * The fixed UUID v5 namespace of event ids. Never change it: ids must stay stable across
 * restarts, machines and chapters. (It is itself uuidv5("living-performance-book/event-search", URL namespace).)
 */
export const EVENT_ID_NAMESPACE = '2f7949c4-b128-5a51-993d-1e229a0c3f12';

/** The public id of one event: UUID v5 over "<base_plan_id>:<plan_id>". */
export function eventId(basePlanId: string, planId: string): string {
  return uuidv5(`${basePlanId}:${planId}`, EVENT_ID_NAMESPACE);
}
