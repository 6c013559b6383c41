/**
 * The documents the simulated provider answers: the real sample answers, or a generated feed
 * whose k-th answer is a pure function of (options, k).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { intBetween, rngFor } from './prng.ts';

export type NamingVariant = 'current' | 'legacy';

const FIXTURES = new URL('./fixtures/', import.meta.url);

export function readFixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(name, FIXTURES)), 'utf8');
}

/** The three successive sample answers (planlist-1..3.xml), in the requested naming. */
export function sampleAnswers(variant: NamingVariant): string[] {
  const current = [1, 2, 3].map((n) => readFixture(`planlist-${n}.xml`));
  if (variant === 'current') return current;
  // Answer 1 exists verbatim in legacy names; 2 and 3 are renamed the same way.
  return [readFixture('eventlist-1-legacy-names.xml'), toLegacyNames(current[1]), toLegacyNames(current[2])];
}

/** Renames a current-names document to the legacy names (planList → eventList, plan → event…). */
export function toLegacyNames(xml: string): string {
  return xml
    .replace(/\bplanList\b/g, 'eventList')
    .replace(/\bbase_plan(_id)?\b/g, 'base_event$1')
    .replace(/\bplan(_id|_start_date|_end_date)?\b/g, 'event$1');
}

export interface GeneratedFeedOptions {
  seed: number;
  /** Base plans of the initial universe. */
  basePlans: number;
  /** Plans under each base plan. */
  plansPerBase: number;
  /** Plans start within this many years from 2021-01-01. */
  years: number;
  /** Extra base plans appearing with every answer (a feed that keeps growing). */
  growthPerAnswer: number;
  variant: NamingVariant;
}

export const defaultGeneratedFeedOptions: GeneratedFeedOptions = {
  seed: 1,
  basePlans: 40,
  plansPerBase: 3,
  years: 3,
  growthPerAnswer: 0,
  variant: 'current',
};

const TITLES = ['Camela en concierto', 'Los Morancos', 'Pantomima Full', 'Tributo a Queen', 'Orquesta Sinfónica', 'Monólogos & Risas', 'Ballet "Giselle"', 'Jazz <en> vivo', 'Flamenco Nights', 'Circo del Sol'];
const ZONE_NAMES = ['Platea', 'Grada 1', 'Grada 2', 'Amfiteatre', 'Palco', 'Pista'];
const DAY_MS = 86_400_000;
const EPOCH_2021 = Date.UTC(2021, 0, 1);

/** Answers in which a base plan is present: [appearsAt, disappearsAt). */
interface Presence {
  appearsAt: number;
  disappearsAt: number;
}

function presence(options: GeneratedFeedOptions, index: number): Presence {
  if (index >= options.basePlans) {
    // Grown base plans appear one batch per answer and stay.
    return { appearsAt: 1 + Math.floor((index - options.basePlans) / Math.max(1, options.growthPerAnswer)), disappearsAt: Infinity };
  }
  const r = rngFor(options.seed, index, 0, 1);
  const appearsAt = r() < 0.6 ? 0 : intBetween(r, 1, 5);
  const disappearsAt = r() < 0.25 ? appearsAt + intBetween(r, 1, 4) : Infinity;
  return { appearsAt, disappearsAt };
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function wallClock(millis: number): string {
  const d = new Date(millis);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attrs(pairs: Array<[string, string | undefined]>): string {
  return pairs
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([k, v]) => `${k}="${escapeAttr(v)}"`)
    .join(' ');
}

function renderPlan(options: GeneratedFeedOptions, baseIndex: number, j: number, answer: number, epochMs: number): string {
  const r = rngFor(options.seed, baseIndex, j, 2);
  // Every fourth base plan reuses the same plan ids as its siblings: ids are unique only per base plan.
  const planId = baseIndex % 4 === 0 ? 1642 + j : 10_000 + baseIndex * options.plansPerBase + j;
  const day = Math.floor(r() * 365 * options.years);
  const startMs = epochMs + day * DAY_MS + intBetween(r, 17, 22) * 3_600_000 + intBetween(r, 0, 3) * 15 * 60_000;
  const phase = intBetween(r, 0, 2);
  const version = Math.floor((answer + phase) / 3); // values change every few answers
  const endMs = startMs + intBetween(r, 2, 6) * 30 * 60_000 + (version % 3) * 15 * 60_000;
  const defect = r();
  let start = wallClock(startMs);
  let end = wallClock(endMs);
  let id: string | undefined = String(planId);
  let badPrice = false;
  if (defect < 0.03) {
    // A day that does not exist, like the sample's 2021-09-31.
    start = `${start.slice(0, 4)}-09-31${start.slice(10)}`;
    end = `${end.slice(0, 4)}-09-31${end.slice(10)}`;
  } else if (defect < 0.05) [start, end] = [end, start];
  else if (defect < 0.07) badPrice = true;
  else if (defect < 0.08) id = undefined;

  const zoneCount = r() < 0.04 ? 0 : intBetween(r, 1, 4);
  const zones: string[] = [];
  let zoneId = intBetween(r, 1, 400);
  for (let z = 0; z < zoneCount; z++) {
    if (r() >= 0.15) zoneId += intBetween(r, 1, 9); // else: the zone id repeats, as in the samples
    const price = badPrice && z === 0 ? 'n/a' : (10 + intBetween(r, 0, 14) * 5).toFixed(2);
    const capacity = Math.max(0, intBetween(r, 2, 300) - answer * intBetween(r, 0, 5));
    zones.push(
      `            <zone ${attrs([['zone_id', String(zoneId)], ['capacity', String(capacity)], ['price', price], ['name', ZONE_NAMES[intBetween(r, 0, ZONE_NAMES.length - 1)]], ['numbered', String(r() < 0.5)]])} />`,
    );
  }
  const sellFrom = wallClock(startMs - 90 * DAY_MS);
  const sellTo = wallClock(startMs - 10 * 60_000);
  const head = attrs([['plan_start_date', start], ['plan_end_date', end], ['plan_id', id], ['sell_from', sellFrom], ['sell_to', sellTo], ['sold_out', String(zoneCount > 0 && r() < 0.1)]]);
  return [`         <plan ${head}>`, ...zones, '         </plan>'].join('\n');
}

export const FEED_HEAD = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<planList xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="1.0" xsi:noNamespaceSchemaLocation="planList.xsd">',
  '   <output>',
];
export const FEED_TAIL = ['   </output>', '</planList>', ''];

/** One base plan and its plans as of answer `answer`; plans start within `years` of `epochMs`. */
export function renderBasePlan(options: GeneratedFeedOptions, i: number, answer: number, epochMs = EPOCH_2021): string[] {
  const r = rngFor(options.seed, i, 0, 3);
  const sellMode = r() < 0.15 ? 'offline' : 'online';
  const organizer = r() < 0.7 ? String(intBetween(r, 1, 9)) : undefined;
  const title = TITLES[intBetween(r, 0, TITLES.length - 1)];
  const lines = [`      <base_plan ${attrs([['base_plan_id', String(100 + i)], ['sell_mode', sellMode], ['organizer_company_id', organizer], ['title', title]])}>`];
  for (let j = 0; j < options.plansPerBase; j++) lines.push(renderPlan(options, i, j, answer, epochMs));
  lines.push('      </base_plan>');
  return lines;
}

/** The base plan lines of the k-th answer (no document head or tail). */
export function answerBody(options: GeneratedFeedOptions, answer: number): string[] {
  const universe = options.basePlans + options.growthPerAnswer * answer;
  const lines: string[] = [];
  for (let i = 0; i < universe; i++) {
    const { appearsAt, disappearsAt } = presence(options, i);
    if (answer < appearsAt || answer >= disappearsAt) continue;
    lines.push(...renderBasePlan(options, i, answer));
  }
  return lines;
}

/** The k-th (0-based) answer of the generated feed. Pure: same options and k, same bytes. */
export function generatedAnswer(options: GeneratedFeedOptions, answer: number): string {
  const xml = [...FEED_HEAD, ...answerBody(options, answer), ...FEED_TAIL].join('\n');
  return options.variant === 'legacy' ? toLegacyNames(xml) : xml;
}
