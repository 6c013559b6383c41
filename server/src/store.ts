import { promises as fs } from 'node:fs';
import path from 'node:path';
import { planKey, type CatalogState, type StoredPlan } from './catalog.ts';
import { describeError, type Logger } from './log.ts';

const FILE_NAME = 'store.json';
const FORMAT = 'event-search-store';
const VERSION = 1;

interface StoreFile {
  format: typeof FORMAT;
  version: typeof VERSION;
  savedAt: string;
  onlineBasePlanIds: string[];
  plans: StoredPlan[];
}

export type LoadResult =
  /** `savedAt`: when the file was written (epoch ms), null if it does not say. */
  | { kind: 'loaded'; state: CatalogState; savedAt: number | null }
  | { kind: 'missing' }
  /** The file was unreadable; it was renamed to `setAsideAs` and the service starts empty. */
  | { kind: 'corrupt'; error: string; setAsideAs: string };

/**
 * The catalog on disk: one JSON file, replaced atomically (temp file, fsync, rename, fsync
 * of the directory), so a crash at any point leaves either the old or the new complete file.
 */
export class FileStore {
  readonly file: string;
  private readonly dir: string;
  private writes: Promise<void> = Promise.resolve();
  private seq = 0;

  constructor(dataDir: string, private readonly log: Logger) {
    this.dir = path.resolve(dataDir);
    this.file = path.join(this.dir, FILE_NAME);
  }

  async load(): Promise<LoadResult> {
    await fs.mkdir(this.dir, { recursive: true });
    await this.removeStaleTempFiles();
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
      throw err;
    }
    try {
      return { kind: 'loaded', ...decodeStoreFile(text) };
    } catch (err) {
      const setAsideAs = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await fs.rename(this.file, setAsideAs);
      const error = describeError(err);
      this.log.error('store.corrupt', { file: this.file, setAsideAs, error });
      return { kind: 'corrupt', error, setAsideAs };
    }
  }

  /** Queues an atomic replacement of the file; writes never interleave. */
  save(state: CatalogState): Promise<void> {
    const text = encodeStore(state);
    const write = this.writes.then(() => this.writeAtomically(text));
    this.writes = write.catch(() => {}); // a failed write must not block later ones
    return write;
  }

  /** Resolves when every queued write has finished. */
  async flush(): Promise<void> {
    await this.writes;
  }

  private async writeAtomically(text: string): Promise<void> {
    const temp = `${this.file}.tmp-${process.pid}-${++this.seq}`;
    const handle = await fs.open(temp, 'w');
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.rename(temp, this.file);
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw err;
    }
    // Make the rename itself durable.
    const dirHandle = await fs.open(this.dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  }

  /** Temp files left by a crash mid-write are incomplete by definition. */
  private async removeStaleTempFiles(): Promise<void> {
    for (const name of await fs.readdir(this.dir)) {
      if (name.startsWith(`${FILE_NAME}.tmp-`)) await fs.rm(path.join(this.dir, name), { force: true });
    }
  }
}

export function encodeStore(state: CatalogState): string {
  const file: StoreFile = {
    format: FORMAT,
    version: VERSION,
    savedAt: new Date().toISOString(),
    onlineBasePlanIds: [...state.onlineBasePlanIds],
    plans: [...state.plans.values()],
  };
  return JSON.stringify(file);
}

/** Parses and validates a store file; throws with a readable reason when it is not one. */
export function decodeStore(text: string): CatalogState {
  return decodeStoreFile(text).state;
}

/** decodeStore, with the file's own save time. */
export function decodeStoreFile(text: string): { state: CatalogState; savedAt: number | null } {
  const raw: unknown = JSON.parse(text);
  if (!isRecord(raw) || raw.format !== FORMAT) throw new Error(`not an ${FORMAT} file`);
  if (raw.version !== VERSION) throw new Error(`unsupported store version ${String(raw.version)}`);
  if (!Array.isArray(raw.onlineBasePlanIds) || !raw.onlineBasePlanIds.every((id) => typeof id === 'string')) {
    throw new Error('onlineBasePlanIds is not a list of strings');
  }
  if (!Array.isArray(raw.plans)) throw new Error('plans is not a list');
  const plans = new Map<string, StoredPlan>();
  raw.plans.forEach((plan: unknown, index: number) => {
    if (!isStoredPlan(plan)) throw new Error(`plans[${index}] is not a valid plan`);
    plans.set(planKey(plan.basePlanId, plan.planId), plan);
  });
  const savedAt = typeof raw.savedAt === 'string' ? Date.parse(raw.savedAt) : NaN;
  return { state: { plans, onlineBasePlanIds: new Set(raw.onlineBasePlanIds as string[]) }, savedAt: Number.isFinite(savedAt) ? savedAt : null };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const isPrice = (v: unknown): boolean => v === null || (typeof v === 'number' && Number.isFinite(v));

function isStoredPlan(v: unknown): v is StoredPlan {
  return (
    isRecord(v) &&
    typeof v.basePlanId === 'string' &&
    typeof v.planId === 'string' &&
    typeof v.title === 'string' &&
    Number.isFinite(v.startsAt) &&
    Number.isFinite(v.endsAt) &&
    isPrice(v.minPrice) &&
    isPrice(v.maxPrice)
  );
}
