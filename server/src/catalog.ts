import { toEventView } from './event-view.ts';
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

/** A plan as the search sees it: stored values, the derived public id, its JSON in the answer. */
export interface CatalogEntry extends StoredPlan {
  id: string;
  /** The event's JSON object, serialised once when this version of the plan was ingested. */
  json: Buffer;
}

export function catalogEntry(plan: StoredPlan, id = eventId(plan.basePlanId, plan.planId)): CatalogEntry {
  return { ...plan, id, json: Buffer.from(JSON.stringify(toEventView(plan, id))) };
}

// Merging keeps the StoredPlan object of an unchanged plan, so its entry (id, JSON) is reused.
const entryOfPlan = new WeakMap<StoredPlan, CatalogEntry>();

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

/** The searchable list: plans of base plans ever seen online, with their ids and JSON. */
export function searchableEntries(state: CatalogState): CatalogEntry[] {
  const entries: CatalogEntry[] = [];
  for (const plan of state.plans.values()) {
    if (state.onlineBasePlanIds.has(plan.basePlanId)) {
      let entry = entryOfPlan.get(plan);
      if (!entry) {
        entry = catalogEntry(plan);
        entryOfPlan.set(plan, entry);
      }
      entries.push(entry);
    }
  }
  return entries;
}
