/**
 * A large feed for ingest load (bench scenario `ingest`): the generated feed's first answer,
 * unchanged, followed by "bulk" base plans dated from BULK_START_YEAR — after the generated
 * feed's years — until the document reaches the target size. Searches inside the generated
 * feed's years therefore find exactly the events of the small feed; only the volume grows.
 *
 * Variants differ in the bulk part only (end times and capacities move with the answer
 * number, as in the generated feed), so consecutive polls get different documents: a server
 * that skipped an unchanged document by hash would still have to merge. They are built once;
 * serving one is sending bytes.
 */
import { answerBody, FEED_HEAD, FEED_TAIL, renderBasePlan, toLegacyNames, type GeneratedFeedOptions } from './feed.ts';

export interface BulkFeedOptions {
  /** The document grows by whole base plans until it has at least this many bytes. */
  targetBytes: number;
  /** Distinct documents, served in turn (answer k gets variant k mod variants); >= 2 so every poll changes. */
  variants: number;
}

/** Bulk plans start in this year or later: outside 2021–2023, where the bench searches. */
export const BULK_START_YEAR = 2030;
/** Bulk base plans use indexes (ids 100 + index) far above any generated base plan's. */
const BULK_FIRST_INDEX = 1_000_000;

export const defaultBulkFeedOptions: BulkFeedOptions = { targetBytes: 15_000_000, variants: 2 };

const byteLength = (lines: string[]): number => lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);

/** The bulk documents: same options, same bytes. */
export function bulkDocuments(feed: GeneratedFeedOptions, bulk: BulkFeedOptions): Buffer[] {
  if (!(bulk.targetBytes > 0)) throw new Error(`bulk feed: targetBytes must be positive, got ${bulk.targetBytes}`);
  if (!Number.isInteger(bulk.variants) || bulk.variants < 1) throw new Error(`bulk feed: variants must be a positive integer, got ${bulk.variants}`);
  const epochMs = Date.UTC(BULK_START_YEAR, 0, 1);
  const fixed = [...FEED_HEAD, ...answerBody(feed, 0)];
  let size = byteLength(fixed) + byteLength(FEED_TAIL);
  // The number of bulk base plans is settled on variant 0, then every variant has as many.
  const first: string[] = [];
  let count = 0;
  for (; size < bulk.targetBytes; count++) {
    const lines = renderBasePlan(feed, BULK_FIRST_INDEX + count, 0, epochMs);
    first.push(...lines);
    size += byteLength(lines);
  }
  const documents: Buffer[] = [];
  for (let v = 0; v < bulk.variants; v++) {
    const bulkLines = v === 0 ? first : Array.from({ length: count }, (_, k) => renderBasePlan(feed, BULK_FIRST_INDEX + k, v, epochMs)).flat();
    const xml = [...fixed, ...bulkLines, ...FEED_TAIL].join('\n');
    documents.push(Buffer.from(feed.variant === 'legacy' ? toLegacyNames(xml) : xml));
  }
  return documents;
}
