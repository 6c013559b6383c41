import { planKey, type CatalogState, type StoredPlan } from '../catalog.ts';
import type { FeedBasePlan, FeedPlan } from './parse-feed.ts';

export interface MergeResult {
  state: CatalogState;
  /** True when anything observable changed (so the state must be persisted). */
  changed: boolean;
  added: number;
  updated: number;
}

/**
 * Folds one well-formed feed answer into the catalog. Nothing is ever removed: plans that
 * vanish from the feed keep their last values, and a base plan once seen online stays so.
 * Pure: the input state is not modified.
 */
export function mergeFeed(state: CatalogState, feed: { basePlans: FeedBasePlan[]; plans: FeedPlan[] }): MergeResult {
  let online = state.onlineBasePlanIds;
  for (const base of feed.basePlans) {
    if (base.online && !online.has(base.basePlanId)) {
      if (online === state.onlineBasePlanIds) online = new Set(online);
      (online as Set<string>).add(base.basePlanId);
    }
  }

  let plans = state.plans;
  let added = 0;
  let updated = 0;
  for (const incoming of feed.plans) {
    const key = planKey(incoming.basePlanId, incoming.planId);
    const previous = plans.get(key);
    if (previous && samePlan(previous, incoming)) continue;
    if (plans === state.plans) plans = new Map(plans);
    // A feed plan has exactly a stored plan's fields: kept as it is, not copied (one object fewer per plan and poll).
    (plans as Map<string, StoredPlan>).set(key, incoming);
    if (previous) updated++;
    else added++;
  }

  const changed = online !== state.onlineBasePlanIds || plans !== state.plans;
  return { state: changed ? { plans, onlineBasePlanIds: online } : state, changed, added, updated };
}

function samePlan(a: StoredPlan, b: StoredPlan): boolean {
  return (
    a.title === b.title &&
    a.startsAt === b.startsAt &&
    a.endsAt === b.endsAt &&
    a.minPrice === b.minPrice &&
    a.maxPrice === b.maxPrice
  );
}
