import { eventId } from './ids.ts';

/** What the service knows about one (base_plan_id, plan_id) pair: its latest values seen. */
export interface StoredPlan {
  basePlanId: string;
  planId: string;
  title: string;
  /** Epoch ms, wall-clock time of the provider read as UTC. */
  startsAt: number;
  endsAt: number;
  /** Min/max price over all zones; null when the plan had no zones. */
  minPrice: number | null;
  maxPrice: number | null;
}

/** A plan as the search sees it: stored values plus the derived public id. */
export interface CatalogEntry extends StoredPlan {
  id: string;
}

/** Everything ingested so far. Plans are never deleted (historical preservation). */
export interface CatalogState {
  /** Keyed by `planKey(basePlanId, planId)`. */
  plans: ReadonlyMap<string, StoredPlan>;
  /** Base plans ever seen with sell_mode="online"; only their plans are searchable. */
  onlineBasePlanIds: ReadonlySet<string>;
}

export const emptyCatalogState = (): CatalogState => ({ plans: new Map(), onlineBasePlanIds: new Set() });

export function planKey(basePlanId: string, planId: string): string {
  return `${basePlanId}:${planId}`;
}

/** The searchable list: plans of base plans ever seen online, with their ids. */
export function searchableEntries(state: CatalogState): CatalogEntry[] {
  const entries: CatalogEntry[] = [];
  for (const plan of state.plans.values()) {
    if (state.onlineBasePlanIds.has(plan.basePlanId)) {
      entries.push({ ...plan, id: eventId(plan.basePlanId, plan.planId) });
    }
  }
  return entries;
}
