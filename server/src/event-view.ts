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

const PREFIX = Buffer.from('{"data":{"events":[');
const SUFFIX = Buffer.from(']},"error":null}');
const COMMA = 0x2c;

/** The 200 body of /search from events already serialised: one allocation, copies only. */
export function searchAnswer(events: readonly { json: Buffer }[]): Buffer {
  let length = PREFIX.length + SUFFIX.length + Math.max(0, events.length - 1);
  for (const event of events) length += event.json.length;
  const out = Buffer.allocUnsafe(length);
  let at = PREFIX.copy(out, 0);
  for (let i = 0; i < events.length; i++) {
    if (i > 0) out[at++] = COMMA;
    at += events[i].json.copy(out, at);
  }
  SUFFIX.copy(out, at);
  return out;
}
