import { LRUCache } from 'lru-cache';

export interface CacheStats {
  hits: number;
  misses: number;
  /** hits / (hits + misses); null before the first lookup. */
  hitRate: number | null;
  entries: number;
  bytes: number;
  /** Largest `bytes` ever held. */
  peakBytes: number;
  maxBytes: number;
  evictions: number;
  /** Catalogue changes that emptied the cache. */
  invalidations: number;
}

/**
 * Answers by normalised query, for one catalogue version at a time: a lookup under a newer
 * version empties the cache first, so an answer never outlives the catalogue it was built
 * from. Memory is bounded by `maxBytes` (keys and bodies), least recently used evicted first;
 * 0 disables the cache.
 */
export class ResponseCache {
  private readonly lru: LRUCache<string, Buffer> | null;
  private version = -1;
  private hits = 0;
  private misses = 0;
  private peakBytes = 0;
  private evictions = 0;
  private invalidations = 0;

  constructor(private readonly maxBytes: number) {
    this.lru =
      maxBytes > 0
        ? new LRUCache<string, Buffer>({
            maxSize: maxBytes,
            sizeCalculation: (body, key) => body.length + key.length,
            dispose: (_body, _key, reason) => {
              if (reason === 'evict') this.evictions++;
            },
          })
        : null;
  }

  /** The cached answer for `key` under catalogue `version`, or the one `build` makes (then cached). */
  get(version: number, key: string, build: () => Buffer): Buffer {
    if (!this.lru) {
      this.misses++;
      return build();
    }
    if (version !== this.version) {
      if (this.lru.size > 0) this.invalidations++;
      this.lru.clear();
      this.version = version;
    }
    const cached = this.lru.get(key);
    if (cached) {
      this.hits++;
      return cached;
    }
    this.misses++;
    const body = build();
    this.lru.set(key, body); // an answer larger than maxBytes is simply not kept
    this.peakBytes = Math.max(this.peakBytes, this.lru.calculatedSize);
    return body;
  }

  stats(): CacheStats {
    const lookups = this.hits + this.misses;
    return {
      hits: this.hits,
      misses: this.misses,
      hitRate: lookups === 0 ? null : this.hits / lookups,
      entries: this.lru?.size ?? 0,
      bytes: this.lru?.calculatedSize ?? 0,
      peakBytes: this.peakBytes,
      maxBytes: this.maxBytes,
      evictions: this.evictions,
      invalidations: this.invalidations,
    };
  }
}
