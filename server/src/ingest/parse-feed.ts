import { SaxesParser } from 'saxes';
import { parseProviderDateTime } from '../time.ts';
import { decodeFeedSlices } from './decode-feed.ts';

/** One valid plan of a feed document, flattened with its base plan's values. */
export interface FeedPlan {
  basePlanId: string;
  planId: string;
  title: string;
  startsAt: number;
  endsAt: number;
  minPrice: number | null;
  maxPrice: number | null;
}

export interface FeedBasePlan {
  basePlanId: string;
  online: boolean;
}

export interface SkippedPlan {
  basePlanId: string | null;
  planId: string | null;
  reason: string;
}

export type FeedVariant = 'current' | 'legacy';

export type FeedParseResult =
  | { ok: true; variant: FeedVariant; basePlans: FeedBasePlan[]; plans: FeedPlan[]; skipped: SkippedPlan[] }
  | { ok: false; error: string };

/** Element and attribute names of the two naming variants of the same document. */
const NAMES = {
  current: { root: 'planList', basePlan: 'base_plan', basePlanId: 'base_plan_id', plan: 'plan', planId: 'plan_id', start: 'plan_start_date', end: 'plan_end_date' },
  legacy: { root: 'eventList', basePlan: 'base_event', basePlanId: 'base_event_id', plan: 'event', planId: 'event_id', start: 'event_start_date', end: 'event_end_date' },
} as const;

type Attributes = Record<string, string>;

const PRICE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** Thrown from the parser's handlers to stop at the first reason to reject the whole document. */
class Rejected extends Error {}

/** Parses one provider answer as received: bytes in the encoding the document declares, decoded and parsed a slice at a time. */
export function parseFeedBytes(bytes: Uint8Array): FeedParseResult {
  const decoded = decodeFeedSlices(bytes);
  return decoded.ok ? parseFeedSlices(decoded.slices) : { ok: false, error: decoded.error };
}

/** Parses one provider answer held as a string. */
export function parseFeed(xml: string): FeedParseResult {
  return parseFeedSlices([xml]);
}

/**
 * Parses one provider answer as it streams through saxes, a strict (well-formedness checking)
 * event parser: no tree of the document is ever built, only the plans are kept (chapter 15:
 * the tree, the validator's pass and the whole text were most of the memory a 15 MB document
 * took). A malformed or truncated document is rejected as a whole (`ok: false`), and so is
 * one with a DTD or entity declarations (their entities would become event text); an invalid
 * plan inside a well-formed document is skipped with a reason. Either naming is accepted at
 * every level, so a document mixing both still parses.
 */
export function parseFeedSlices(slices: Iterable<string>): FeedParseResult {
  const parser = new SaxesParser({ position: true });
  const basePlans: FeedBasePlan[] = [];
  const plans: FeedPlan[] = [];
  const skipped: SkippedPlan[] = [];
  let variant: FeedVariant | null = null;
  let sawOutput = false;
  // The open elements' names; only root > output > base plan > plan > zone matter.
  const open: string[] = [];
  let base: { basePlanId: string; title: string } | null = null;
  let plan: { attributes: Attributes; minPrice: number | null; maxPrice: number | null; badPrice: string | null } | null = null;

  parser.on('error', (err) => {
    // An entity XML does not define is kept as written, as before this parser (character references are decoded).
    if (err.message.endsWith('undefined entity.')) return;
    throw new Rejected(`malformed XML at ${err.message}`);
  });
  parser.on('doctype', () => {
    throw new Rejected(`document declares a DTD or entities (<!DOCTYPE at ${parser.line}:${parser.column}); dropped whole`);
  });
  parser.on('opentag', (tag) => {
    const name = tag.name;
    const depth = open.push(name);
    const attributes = tag.attributes as Attributes;
    if (depth === 1) {
      variant = name === NAMES.current.root ? 'current' : name === NAMES.legacy.root ? 'legacy' : null;
      if (variant === null) throw new Rejected(`unknown root element (expected ${NAMES.current.root} or ${NAMES.legacy.root})`);
    } else if (depth === 2) {
      if (name === 'output') sawOutput = true;
    } else if (depth === 3 && open[1] === 'output' && (name === NAMES.current.basePlan || name === NAMES.legacy.basePlan)) {
      base = openBasePlan(attributes, basePlans, skipped);
    } else if (depth === 4 && base !== null && (name === NAMES.current.plan || name === NAMES.legacy.plan)) {
      plan = { attributes, minPrice: null, maxPrice: null, badPrice: null };
    } else if (depth === 5 && plan !== null && name === 'zone' && plan.badPrice === null) {
      const priceText = attr(attributes, 'price');
      if (priceText === undefined || !PRICE.test(priceText)) plan.badPrice = priceText ?? '';
      else {
        const price = Number(priceText);
        plan.minPrice = plan.minPrice === null ? price : Math.min(plan.minPrice, price);
        plan.maxPrice = plan.maxPrice === null ? price : Math.max(plan.maxPrice, price);
      }
    }
  });
  parser.on('closetag', () => {
    const depth = open.length;
    open.pop();
    if (depth === 4 && plan !== null && base !== null) {
      const result = readPlan(plan.attributes, base.basePlanId, base.title, plan.badPrice, plan.minPrice, plan.maxPrice);
      if ('reason' in result) skipped.push(result);
      else plans.push(result);
      plan = null;
    } else if (depth === 3) base = null;
  });

  try {
    for (const slice of slices) parser.write(slice);
    parser.close();
  } catch (err) {
    if (err instanceof Rejected) return { ok: false, error: err.message };
    throw err;
  }
  if (variant === null) return { ok: false, error: `unknown root element (expected ${NAMES.current.root} or ${NAMES.legacy.root})` };
  if (!sawOutput) return { ok: false, error: 'document has no <output> element' };
  return { ok: true, variant, basePlans, plans, skipped };
}

/** A base plan's id and title for its plans; null (and a skip) without an id. */
function openBasePlan(attributes: Attributes, basePlans: FeedBasePlan[], skipped: SkippedPlan[]): { basePlanId: string; title: string } | null {
  const basePlanId = attr(attributes, NAMES.current.basePlanId) ?? attr(attributes, NAMES.legacy.basePlanId);
  if (!basePlanId) {
    skipped.push({ basePlanId: null, planId: null, reason: 'base plan without id' });
    return null;
  }
  basePlans.push({ basePlanId, online: attr(attributes, 'sell_mode') === 'online' });
  return { basePlanId, title: attr(attributes, 'title') ?? '' };
}

function readPlan(node: Attributes, basePlanId: string, title: string, badPrice: string | null, minPrice: number | null, maxPrice: number | null): FeedPlan | SkippedPlan {
  const planId = attr(node, NAMES.current.planId) ?? attr(node, NAMES.legacy.planId) ?? null;
  const skip = (reason: string): SkippedPlan => ({ basePlanId, planId, reason });
  if (!planId) return skip('plan without id');
  const startText = attr(node, NAMES.current.start) ?? attr(node, NAMES.legacy.start);
  const endText = attr(node, NAMES.current.end) ?? attr(node, NAMES.legacy.end);
  const startsAt = parseProviderDateTime(startText);
  if (startsAt === null) return skip(startText === undefined ? 'missing start date' : `invalid start date "${startText}"`);
  const endsAt = parseProviderDateTime(endText);
  if (endsAt === null) return skip(endText === undefined ? 'missing end date' : `invalid end date "${endText}"`);
  if (endsAt < startsAt) return skip(`end ${endText} is before start ${startText}`);
  if (badPrice !== null) return skip(`non-numeric price "${badPrice}"`);
  return { basePlanId, planId, title, startsAt, endsAt, minPrice, maxPrice };
}

function attr(node: Attributes, name: string): string | undefined {
  const value = node[name];
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}
