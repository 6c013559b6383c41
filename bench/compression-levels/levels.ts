/** Every gzip level and brotli quality on one body: bytes, ratio to identity, CPU per compression (npm run compression-levels). */
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { median } from '../stats/descriptive.ts';

export interface LevelRow {
  coding: 'gzip' | 'br';
  level: number;
  bytes: number;
  ratio: number;
  cpuMs: number;
}

const compressors = {
  gzip: (body: Buffer, level: number) => gzipSync(body, { level }),
  br: (body: Buffer, level: number) => brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: level, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
} as const;

const LEVELS = { gzip: [1, 2, 3, 4, 5, 6, 7, 8, 9], br: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] } as const;

/** CPU ms of one compression, this thread's user + system time over `reps` of them. */
function cpuMsPerCompression(compress: () => Buffer, reps: number): number {
  const start = process.cpuUsage();
  for (let i = 0; i < reps; i++) compress();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / reps;
}

/** Every level of both codings on `body` (pure but for the clock). */
export function levelTable(body: Buffer, reps: number, rounds: number): LevelRow[] {
  const rows: LevelRow[] = [];
  for (const coding of ['gzip', 'br'] as const) {
    for (const level of LEVELS[coding]) {
      const compress = () => compressors[coding](body, level);
      const bytes = compress().length; // also the warm-up
      const cpuMs = median(Array.from({ length: rounds }, () => cpuMsPerCompression(compress, reps)));
      rows.push({ coding, level, bytes, ratio: body.length / bytes, cpuMs });
    }
  }
  return rows;
}

