import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseProviderDateTime } from '../time.ts';
import { decodeFeed } from './decode-feed.ts';

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

const ATTR = '@_';
type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: ATTR,
  parseAttributeValue: false, // every value is a string; we validate ourselves
  parseTagValue: false,
  processEntities: true,
  // Decodes numeric character references (&#233;, &#xE9;) too; without it they stay as written.
  htmlEntities: true,
  isArray: (name) => name === 'base_plan' || name === 'base_event' || name === 'plan' || name === 'event' || name === 'zone',
});

const PRICE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** Parses one provider answer as received: bytes in the encoding the document declares. */
export function parseFeedBytes(bytes: Uint8Array): FeedParseResult {
  const decoded = decodeFeed(bytes);
  return decoded.ok ? parseFeed(decoded.text) : { ok: false, error: decoded.error };
}

/**
 * Parses one provider answer. A malformed or truncated document is rejected as a whole
 * (`ok: false`), and so is one with a DTD or entity declarations (their entities would become
 * event text); an invalid plan inside a well-formed document is skipped with a reason.
 */
export function parseFeed(xml: string): FeedParseResult {
  const declaration = /<!DOCTYPE|<!ENTITY/.exec(xml);
  if (declaration) return { ok: false, error: `document declares a DTD or entities (${declaration[0]} at character ${declaration.index}); dropped whole` };
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    return { ok: false, error: `malformed XML at ${line}:${col}: ${msg}` };
  }
  let doc: XmlNode;
  try {
    doc = parser.parse(xml) as XmlNode;
  } catch (err) {
    return { ok: false, error: `malformed XML: ${(err as Error).message}` };
  }
  const variant: FeedVariant | null = NAMES.current.root in doc ? 'current' : NAMES.legacy.root in doc ? 'legacy' : null;
  if (!variant) return { ok: false, error: `unknown root element (expected ${NAMES.current.root} or ${NAMES.legacy.root})` };
  const root = asNode(doc[NAMES[variant].root]);
  if (!root || !('output' in root)) return { ok: false, error: 'document has no <output> element' };
  // `<output/>` parses as '' : nothing new, not "delete everything".
  const output = asNode(root.output) ?? {};

  const basePlans: FeedBasePlan[] = [];
  const plans: FeedPlan[] = [];
  const skipped: SkippedPlan[] = [];
  // Accept either naming at every level, so a document mixing both still parses.
  for (const names of [NAMES.current, NAMES.legacy]) {
    for (const baseNode of asNodeList(output[names.basePlan])) {
      const basePlanId = attr(baseNode, names.basePlanId) ?? attr(baseNode, otherNames(names).basePlanId);
      if (!basePlanId) {
        skipped.push({ basePlanId: null, planId: null, reason: 'base plan without id' });
        continue;
      }
      basePlans.push({ basePlanId, online: attr(baseNode, 'sell_mode') === 'online' });
      const title = attr(baseNode, 'title') ?? '';
      for (const alt of [names, otherNames(names)]) {
        for (const planNode of asNodeList(baseNode[alt.plan])) {
          const result = readPlan(planNode, basePlanId, title);
          if ('reason' in result) skipped.push(result);
          else plans.push(result);
        }
      }
    }
  }
  return { ok: true, variant, basePlans, plans, skipped };
}

function otherNames(names: (typeof NAMES)[FeedVariant]): (typeof NAMES)[FeedVariant] {
  return names === NAMES.current ? NAMES.legacy : NAMES.current;
}

function readPlan(node: XmlNode, basePlanId: string, title: string): FeedPlan | SkippedPlan {
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

  let minPrice: number | null = null;
  let maxPrice: number | null = null;
  for (const zone of asNodeList(node.zone)) {
    const priceText = attr(zone, 'price');
    if (priceText === undefined || !PRICE.test(priceText.trim())) return skip(`non-numeric price "${priceText ?? ''}"`);
    const price = Number(priceText);
    minPrice = minPrice === null ? price : Math.min(minPrice, price);
    maxPrice = maxPrice === null ? price : Math.max(maxPrice, price);
  }
  return { basePlanId, planId, title, startsAt, endsAt, minPrice, maxPrice };
}

function attr(node: XmlNode, name: string): string | undefined {
  const value = node[ATTR + name];
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function asNode(value: unknown): XmlNode | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as XmlNode) : null;
}

function asNodeList(value: unknown): XmlNode[] {
  if (!Array.isArray(value)) return [];
  return value.map(asNode).filter((n): n is XmlNode => n !== null);
}
