import type { StoredPlan } from './catalog.ts';
import { utcDateAndTime } from './time.ts';

/** One event of the 200 body, in the order and shape of the spec. */
export interface EventView {
  id: string;
  title: string;
  start_date: string;
  start_time: string;
  end_date: string;
  end_time: string;
  min_price: number | null;
  max_price: number | null;
}

export function toEventView(plan: StoredPlan, id: string): EventView {
  const start = utcDateAndTime(plan.startsAt);
  const end = utcDateAndTime(plan.endsAt);
  return {
    id,
    title: plan.title,
    start_date: start.date,
    start_time: start.time,
    end_date: end.date,
    end_time: end.time,
    min_price: plan.minPrice,
    max_price: plan.maxPrice,
  };
}
