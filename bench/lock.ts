/**
 * One bench at a time per database: `<db>.lock` holds the owner's pid. A lock of
 * a dead process (a crashed or killed run) is taken over with a notice.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isProcessAlive } from './proc/processes.ts';

export class LockedError extends Error {}

export interface Lock {
  path: string;
  release(): void;
}

export function acquireLock(dbPath: string, notice: (message: string) => void = () => {}): Lock {
  const path = `${dbPath}.lock`;
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      let released = false;
      return {
        path,
        release() {
          if (released) return;
          released = true;
          try {
            if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path, { force: true });
          } catch {
            // Already gone.
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let owner = NaN;
    try {
      owner = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    } catch {
      continue; // Released meanwhile: try again.
    }
    if (Number.isInteger(owner) && owner > 0 && isProcessAlive(owner)) {
      throw new LockedError(`another bench is already running on ${dbPath} (pid ${owner}); wait for it to finish or stop it (lock file ${path})`);
    }
    notice(`taking over the stale lock ${path} of pid ${Number.isNaN(owner) ? '?' : owner}, which is no longer running`);
    rmSync(path, { force: true });
  }
  throw new LockedError(`could not take the lock ${path}`);
}
